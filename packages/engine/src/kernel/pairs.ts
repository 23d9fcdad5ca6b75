import { I32, I64, op } from '../wasm/assembler.js';
import type { WasmFunction } from '../wasm/assembler.js';
import { FILL } from './layout.js';

const { block, loop, if: if_, end, br, brIf, call, get, set, i32, i64, load, store } = op;
const [i32Eq, i32GeU, i32LeU, i32Add, i32Sub, i32Shl, i32ShrU] = [0x46, 0x4f, 0x4d, 0x6a, 0x6b, 0x74, 0x76];
const [i64GeU, i64GtU, i64Sub, i64Mul, i64RemU, i64And, i64ShrU] = [0x5a, 0x56, 0x7d, 0x7e, 0x82, 0x83, 0x88];
const [wrap, extendU, select] = [0xa7, 0xad, 0x1b];

/**
 * `run(starts, buckets, data, len, pos) → pos`: for each bucket b, the
 * Fisher–Yates of data[starts[b] … starts[b + 1]) exactly as
 * `fisherYatesFrom` (shuffle/fisher-yates.ts) does it for buckets of at most
 * 2^16 — two swaps per draw, the same products and rejections — drawing
 * from the buffer at address 0 (`len` words, refilled by `fill(len)` when
 * `pos` reaches `len`). WebAssembly's 64-bit integer multiply gives the
 * products exactly, where JavaScript needs doubles and a floor.
 */
export function pairsFunction(): WasmFunction {
  // Parameters: 0 starts, 1 buckets, 2 data, 3 len, 4 pos. Locals (i32): 5 b, 6 s, 7 i, 8 h1, 9 h2, 10 t, 11 addr;
  // (i64): 12 m, 13 m2, 14 bound, 15 p, 16 l2, 17 rest.
  const [STARTS, BUCKETS, DATA, LEN, POS, B, S, I, H1, H2, T, ADDR, M, M2, BOUND, P, L2, REST] =
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17];
  /** Next draw (u32 as i64) on the stack; refills first when the buffer is used up. */
  const nextDraw = [
    ...get(POS), ...get(LEN), i32Eq, ...if_, ...get(LEN), ...call(FILL), ...i32(0), ...set(POS), end,
    ...get(POS), ...i32(2), i32Shl, ...load(), extendU,
    ...get(POS), ...i32(1), i32Add, ...set(POS),
  ];
  /** Swap data[x] and data[j], x and j given as code that pushes them; uses T and ADDR. */
  const swapWith = (x: number[], j: number[]) => [
    // t = data[x]
    ...get(DATA), ...x, ...i32(2), i32Shl, i32Add, ...load(), ...set(T),
    // data[x] = data[j]
    ...get(DATA), ...x, ...i32(2), i32Shl, i32Add,
    ...get(DATA), ...j, ...i32(2), i32Shl, i32Add, ...set(ADDR), ...get(ADDR), ...load(),
    ...store(),
    // data[j] = t
    ...get(ADDR), ...get(T), ...store(),
  ];
  return {
    name: 'run',
    params: [I32, I32, I32, I32, I32],
    results: [I32],
    locals: [[7, I32], [6, I64]],
    body: [
      ...i32(0), ...set(B),
      ...block, ...loop, // buckets
      ...get(B), ...get(BUCKETS), i32GeU, ...brIf(1),
      ...get(STARTS), ...get(B), ...i32(2), i32Shl, i32Add, ...load(), ...set(S),
      ...get(STARTS), ...get(B), ...i32(2), i32Shl, i32Add, ...load(4), ...i32(1), i32Sub, ...set(I), // i = starts[b + 1] − 1
      ...block, ...loop, // pairs: while i > s + 1
      ...get(I), ...get(S), ...i32(1), i32Add, i32LeU, ...brIf(1),
      ...get(I), ...get(S), i32Sub, ...i32(1), i32Add, extendU, ...set(M), // m = i − s + 1
      ...get(M), ...i64(1n), i64Sub, ...set(M2),
      ...get(M), ...get(M2), i64Mul, ...set(BOUND),
      ...block, ...loop, // draw until accepted
      ...nextDraw, ...get(M), i64Mul, ...set(P), // p1 = x · m
      ...get(P), ...i64(32n), i64ShrU, wrap, ...set(H1),
      ...get(P), ...i64(0xffffffffn), i64And, ...get(M2), i64Mul, ...set(P), // p2 = l1 · (m − 1)
      ...get(P), ...i64(32n), i64ShrU, wrap, ...set(H2),
      ...get(P), ...i64(0xffffffffn), i64And, ...set(L2),
      ...get(L2), ...get(BOUND), i64GeU, ...brIf(1), // l2 ≥ bound: accepted
      // threshold: bound > 2^31 ? 2^32 − bound : (2^32 − bound) mod bound
      ...i64(0x100000000n), ...get(BOUND), i64Sub, ...set(REST),
      ...get(L2),
      ...get(REST), ...get(REST), ...get(BOUND), i64RemU, ...get(BOUND), ...i64(0x80000000n), i64GtU, select,
      i64GeU, ...brIf(1),
      ...br(0),
      end, end,
      ...swapWith(get(I), [...get(S), ...get(H1), i32Add]),
      ...swapWith([...get(I), ...i32(1), i32Sub], [...get(S), ...get(H2), i32Add]),
      ...get(I), ...i32(2), i32Sub, ...set(I),
      ...br(0),
      end, end,
      // The last swap, bound 2: the top bit of a draw.
      ...get(I), ...get(S), ...i32(1), i32Add, i32Eq, ...if_,
      ...nextDraw, wrap, ...i32(31), i32ShrU, ...set(H1),
      ...swapWith(get(I), [...get(S), ...get(H1), i32Add]),
      end,
      ...get(B), ...i32(1), i32Add, ...set(B),
      ...br(0),
      end, end,
      ...get(POS),
    ],
  };
}
