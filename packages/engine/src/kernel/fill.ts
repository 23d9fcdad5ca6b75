import { I32, op } from '../wasm/assembler.js';
import type { WasmFunction } from '../wasm/assembler.js';
import { STATE_OFFSET } from './layout.js';

const { block, loop, end, br, brIf, get, set, i32, load, store } = op;
const [i32Add, i32Shl, i32GeU, i32Mul, i32Xor, i32Rotl] = [0x6a, 0x74, 0x4f, 0x6c, 0x73, 0x77];

/**
 * `fill(len)`: draws 0 … len-1 of xoshiro128** into the buffer at address 0,
 * exactly as `Random.fillUint32` computes them, from and back to the state
 * words at STATE_OFFSET (the kernels' copy of the caller's generator).
 */
export function fillFunction(): WasmFunction {
  // Parameter: 0 len. Locals (i32): 1-4 s0-s3, 5 addr, 6 end, 7 t.
  const [LEN, S0, S1, S2, S3, ADDR, END, T] = [0, 1, 2, 3, 4, 5, 6, 7];
  const stateLoad = (w: number) => [...i32(0), ...load(STATE_OFFSET + 4 * w)];
  const stateStore = (w: number, local: number) => [...i32(0), ...get(local), ...store(STATE_OFFSET + 4 * w)];
  return {
    name: 'fill',
    params: [I32],
    results: [],
    locals: [[7, I32]],
    body: [
      ...stateLoad(0), ...set(S0), ...stateLoad(1), ...set(S1), ...stateLoad(2), ...set(S2), ...stateLoad(3), ...set(S3),
      ...get(LEN), ...i32(2), i32Shl, ...set(END),
      ...block, ...loop,
      ...get(ADDR), ...get(END), i32GeU, ...brIf(1),
      // buffer[addr] = rotl(s1 · 5, 7) · 9
      ...get(ADDR), ...get(S1), ...i32(5), i32Mul, ...i32(7), i32Rotl, ...i32(9), i32Mul, ...store(),
      ...get(S1), ...i32(9), i32Shl, ...set(T),
      ...get(S2), ...get(S0), i32Xor, ...set(S2),
      ...get(S3), ...get(S1), i32Xor, ...set(S3),
      ...get(S1), ...get(S2), i32Xor, ...set(S1),
      ...get(S0), ...get(S3), i32Xor, ...set(S0),
      ...get(S2), ...get(T), i32Xor, ...set(S2),
      ...get(S3), ...i32(11), i32Rotl, ...set(S3),
      ...get(ADDR), ...i32(4), i32Add, ...set(ADDR),
      ...br(0),
      end, end,
      ...stateStore(0, S0), ...stateStore(1, S1), ...stateStore(2, S2), ...stateStore(3, S3),
    ],
  };
}
