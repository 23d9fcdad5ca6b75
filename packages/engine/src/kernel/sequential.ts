import { I32, I64, op } from '../wasm/assembler.js';
import type { WasmFunction } from '../wasm/assembler.js';
import { DRAWS_WORDS, FILL } from './layout.js';

const { block, loop, if: if_, end, br, brIf, call, get, set, i32, i64, load, store } = op;
const [i32Eq, i32GeU, i32Add, i32Sub, i32Shl, i32ShrU] = [0x46, 0x4f, 0x6a, 0x6b, 0x74, 0x76];
const [i64LtU, i64Sub, i64Mul, i64RemU, i64And, i64ShrU] = [0x54, 0x7d, 0x7e, 0x82, 0x83, 0x88];
const [extendU, select] = [0xad, 0x1b];

/**
 * `sample(n, k, data, wide) → taken`: sequential sampling in place, exactly
 * as `selectionSample` (sample/sequential.ts) does it — its draws, Lemire's
 * method on 28 bits of each, or on all 32 when `wide` is 1, its rejections
 * — keeping data[0 … k) = the chosen values of data[0 … n) in order.
 */
export function sequentialFunction(): WasmFunction {
  // Parameters: 0 n, 1 k, 2 data, 3 wide. Locals (i32): 4 taken, 5 i, 6 pos, 7 draw shift;
  // (i64): 8 m, 9 p, 10 lo, 11 2^w, 12 w.
  const [N, K, DATA, WIDE, TAKEN, I, POS, XS, M, P, LO, TWO, SH] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const copyValue = [
    // data[taken] = data[i]
    ...get(DATA), ...get(TAKEN), ...i32(2), i32Shl, i32Add,
    ...get(DATA), ...get(I), ...i32(2), i32Shl, i32Add, ...load(),
    ...store(),
  ];
  return {
    name: 'sample',
    params: [I32, I32, I32, I32],
    results: [I32],
    locals: [[4, I32], [5, I64]],
    body: [
      // Draw width: 28 bits (x >>> 4) for populations up to 2^25, else all 32.
      ...i32(0), ...i32(4), ...get(WIDE), select, ...set(XS),
      ...i64(0x100000000n), ...i64(0x10000000n), ...get(WIDE), select, ...set(TWO),
      ...i64(32n), ...i64(28n), ...get(WIDE), select, ...set(SH),
      ...i32(DRAWS_WORDS), ...set(POS),
      ...block, ...loop,
      // while taken < k && k − taken < n − i
      ...get(TAKEN), ...get(K), i32GeU, ...brIf(1),
      ...get(K), ...get(TAKEN), i32Sub, ...get(N), ...get(I), i32Sub, i32GeU, ...brIf(1),
      ...get(POS), ...i32(DRAWS_WORDS), i32Eq, ...if_, ...i32(DRAWS_WORDS), ...call(FILL), ...i32(0), ...set(POS), end,
      ...get(N), ...get(I), i32Sub, extendU, ...set(M), // m = n − i
      ...get(POS), ...i32(2), i32Shl, ...load(), ...get(XS), i32ShrU, extendU, ...get(M), i64Mul, ...set(P), // p = (x >>> xs) · m
      ...get(POS), ...i32(1), i32Add, ...set(POS),
      ...get(P), ...get(TWO), ...i64(1n), i64Sub, i64And, ...set(LO),
      // rejected (lo < m and lo < (2^w − m) mod m): the next draw decides the same i
      ...get(LO), ...get(M), i64LtU, ...if_, // (rare) only then the costly modulo
      ...get(LO), ...get(TWO), ...get(M), i64Sub, ...get(M), i64RemU, i64LtU,
      ...brIf(1), // inside the if, label 1 is the loop: draw again
      end,
      ...copyValue,
      // taken += t < k − taken, with t = p >> w
      ...get(TAKEN),
      ...get(P), ...get(SH), i64ShrU, ...get(K), ...get(TAKEN), i32Sub, extendU, i64LtU,
      i32Add, ...set(TAKEN),
      ...get(I), ...i32(1), i32Add, ...set(I),
      ...br(0),
      end, end,
      // Every value left is needed (or none is).
      ...block, ...loop,
      ...get(TAKEN), ...get(K), i32GeU, ...brIf(1),
      ...copyValue,
      ...get(TAKEN), ...i32(1), i32Add, ...set(TAKEN),
      ...get(I), ...i32(1), i32Add, ...set(I),
      ...br(0),
      end, end,
      ...get(TAKEN),
    ],
  };
}
