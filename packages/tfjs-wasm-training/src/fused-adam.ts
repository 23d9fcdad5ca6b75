/*
 * Adam's update as one wasm-backend kernel. TensorFlow.js's AdamOptimizer
 * updates each variable with 13 elementwise kernels (two moment updates, two
 * bias corrections, a square root, an epsilon, a quotient, a step), each a
 * separate pass over the variable and a separate allocation — on the wasm
 * backend a noticeable share of a fast training step (README, kernel
 * table). `SetaAdamStep` does them in one
 * pass, with every operation rounded to float32 in the stock order, so its
 * results are bit-identical to the stock optimizer's on wasm (tested).
 *
 * Installed and removed with the other wasm training kernels (see
 * register-kernels.ts): while installed, `AdamOptimizer.prototype
 * .applyGradients` takes this path when the active backend is wasm and every
 * gradient is float32, and runs the stock method otherwise.
 */
import { AdamOptimizer, engine, getBackend, mul, sub, tidy, util, zerosLike } from '@tensorflow/tfjs-core';
import { moduleBytes, op, simdLoader, v128Load, v128Store } from './simd-module.js';
import type { WasmMemory } from './simd-module.js';
import type { DataType, KernelConfig, KernelFunc, NamedTensorMap, Scalar, Tensor, TensorInfo, Variable } from '@tensorflow/tfjs-core';

/** Name of the fused kernel (registered for the `wasm` backend only). */
export const FUSED_ADAM_KERNEL = 'SetaAdamStep';

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): Float32Array | Int32Array | Uint8Array;
  readonly dataIdMap: { get(dataId: unknown): { memoryOffset: number } | undefined };
  readonly wasm?: { asm?: { memory?: WasmMemory } };
}

/**
 * The SIMD loop, as a hand-assembled WebAssembly module that imports the wasm
 * backend's own memory, so it reads and writes tensor data in place:
 * `adam(x, m, v, g, outM, outV, outX, bytes, β1, 1−β1, β2, 1−β2, c1, c2, ε, −lr)`
 * over `bytes / 16` groups of four float32 lanes. Every f32x4 operation is
 * the IEEE-754 float32 operation, lane by lane, in the order of
 * {@link adamLoop}.
 */
function adamModuleBytes(): Uint8Array {
  const { I32, F32, V128, simd, get, set } = op;
  const load = v128Load;
  const store = v128Store;
  const splat = simd(0x13);
  const sqrt = simd(0xe3);
  const add = simd(0xe4);
  const mul = simd(0xe6);
  const div = simd(0xe7);
  const addr = (base: number) => [...get(base), ...get(I), 0x6a]; // base + i
  // Parameters 0–7: x, m, v, g, outM, outV, outX, bytes (i32); 8–15: the f32 constants.
  // Locals: 16 i (i32), 17–24 the constants splatted, 25 g, 26 m', 27 v' (v128).
  const I = 16;
  const C = 17;
  const G = 25;
  const M = 26;
  const V = 27;
  const body: number[] = [];
  for (let k = 0; k < 8; k++) body.push(...get(8 + k), ...splat, ...set(C + k));
  body.push(0x02, 0x40, 0x03, 0x40); // block, loop
  body.push(...get(I), ...get(7), 0x4f, 0x0d, 1); // if i >= bytes: break
  body.push(...addr(3), ...load, ...set(G));
  body.push(...addr(1), ...load, ...get(C), ...mul, ...get(G), ...get(C + 1), ...mul, ...add, ...set(M));
  body.push(...addr(4), ...get(M), ...store);
  body.push(...addr(2), ...load, ...get(C + 2), ...mul, ...get(G), ...get(G), ...mul, ...get(C + 3), ...mul, ...add, ...set(V));
  body.push(...addr(5), ...get(V), ...store);
  body.push(...addr(6));
  body.push(...get(M), ...get(C + 4), ...div);
  body.push(...get(V), ...get(C + 5), ...div, ...sqrt, ...get(C + 6), ...add);
  body.push(...div, ...get(C + 7), ...mul, ...addr(0), ...load, ...add, ...store);
  body.push(...get(I), 0x41, 16, 0x6a, ...set(I)); // i += 16
  body.push(0x0c, 0, 0x0b, 0x0b); // br loop; end loop; end block
  return moduleBytes([
    { name: 'adam', params: [...Array<number>(8).fill(I32), ...Array<number>(8).fill(F32)], locals: [[1, I32], [11, V128]], body },
  ]);
}

type AdamSimd = (
  x: number, m: number, v: number, g: number, om: number, ov: number, ox: number, bytes: number,
  b1: number, k1: number, b2: number, k2: number, a1: number, a2: number, eps: number, step: number,
) => void;

/** The SIMD loop bound to `backend`'s memory, or null if this platform or build cannot run it. */
const adamExportsFor = simdLoader<{ adam: AdamSimd }>(adamModuleBytes);
export function simdAdamFor(backend: WasmBackendLike): AdamSimd | null {
  return adamExportsFor(backend)?.adam ?? null;
}

/** Attributes of {@link FUSED_ADAM_KERNEL}: the optimizer's hyper-parameters as plain numbers. */
interface AdamAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
}



/**
 * One Adam step of a float32 variable, in one pass: with `c1 = 1 − β1^t` and
 * `c2 = 1 − β2^t` (scalar tensors, as the stock optimizer computes them),
 *
 *   m' = m·β1 + g·(1 − β1);  v' = v·β2 + g²·(1 − β2);
 *   x' = (m'/c1) / (√(v'/c2) + ε) · (−lr) + x,
 *
 * each operation rounded to float32 as the stock kernels round it (float32
 * operands combined in double and rounded once give the correctly rounded
 * float32 result for +, −, ×, ÷ and √). Outputs `[m', v', x']`. O(n).
 */
function adamStep(args: Parameters<KernelFunc>[0]): TensorInfo[] {
  const backend = args.backend as unknown as WasmBackendLike;
  const { x, m, v, g, c1, c2 } = args.inputs as Record<string, TensorInfo>;
  const attrs = args.attrs as unknown as AdamAttrs;
  // Allocate every output before taking views of the heap: an allocation may grow (and detach) it.
  const outM = backend.makeOutput([...x!.shape], 'float32');
  const outV = backend.makeOutput([...x!.shape], 'float32');
  const outX = backend.makeOutput([...x!.shape], 'float32');
  const a1 = (backend.typedArrayFromHeap(c1!) as Float32Array)[0]!;
  const a2 = (backend.typedArrayFromHeap(c2!) as Float32Array)[0]!;
  const n = util.sizeFromShape(x!.shape);
  const simd = simdAdamFor(backend);
  // The SIMD loop takes whole groups of four; the JS loop the rest (or everything without SIMD).
  const head = simd === null ? 0 : n - (n % 4);
  if (simd !== null && head > 0) {
    const at = (t: TensorInfo) => backend.dataIdMap.get(t.dataId)!.memoryOffset;
    simd(
      at(x!), at(m!), at(v!), at(g!), at(outM), at(outV), at(outX), head * 4,
      attrs.beta1, 1 - attrs.beta1, attrs.beta2, 1 - attrs.beta2, a1, a2, attrs.epsilon, -attrs.learningRate,
    );
  }
  if (head < n) {
    const view = (t: TensorInfo) => (backend.typedArrayFromHeap(t) as Float32Array).subarray(head);
    adamLoop(view(x!), view(m!), view(v!), view(g!), view(outM), view(outV), view(outX), attrs, a1, a2);
  }
  return [outM, outV, outX];
}

/** The loop of {@link adamStep}; exported for tests, which check it against the stock optimizer's arithmetic. */
export function adamLoop(
  xs: Float32Array, ms: Float32Array, vs: Float32Array, gs: Float32Array,
  om: Float32Array, ov: Float32Array, ox: Float32Array,
  attrs: AdamAttrs, a1: number, a2: number,
): void {
  // The stock optimizer's scalars: float32 tensors of these JS numbers.
  const b1 = Math.fround(attrs.beta1);
  const k1 = Math.fround(1 - attrs.beta1);
  const b2 = Math.fround(attrs.beta2);
  const k2 = Math.fround(1 - attrs.beta2);
  const eps = Math.fround(attrs.epsilon);
  const step = Math.fround(-attrs.learningRate);
  const n = xs.length;
  for (let i = 0; i < n; i++) {
    const gi = gs[i]!;
    const mi = Math.fround(Math.fround(ms[i]! * b1) + Math.fround(gi * k1));
    const vi = Math.fround(Math.fround(vs[i]! * b2) + Math.fround(Math.fround(gi * gi) * k2));
    om[i] = mi;
    ov[i] = vi;
    const mh = Math.fround(mi / a1);
    const vh = Math.fround(vi / a2);
    const d = Math.fround(Math.fround(Math.sqrt(vh)) + eps);
    ox[i] = Math.fround(Math.fround(Math.fround(mh / d) * step) + xs[i]!);
  }
}

export const fusedAdamKernelConfig: KernelConfig = {
  kernelName: FUSED_ADAM_KERNEL,
  backendName: 'wasm',
  kernelFunc: adamStep as unknown as KernelFunc,
};

/** The fields of tfjs-core 4.x's AdamOptimizer that its applyGradients uses (TypeScript-protected there). */
interface AdamInternals {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: Variable;
  accBeta2: Variable;
  accumulatedFirstMoment: { originalName: string; variable: Variable }[];
  accumulatedSecondMoment: { originalName: string; variable: Variable }[];
  incrementIterations(): void;
}

type ApplyGradients = (this: AdamOptimizer, variableGradients: NamedTensorMap | { name: string; tensor: Tensor }[]) => void;

/** Shared by every copy of this module (ESM and CommonJS builds), like the kernel registry state. */
interface PatchState {
  stock: ApplyGradients | null;
}
const PATCH_KEY = Symbol.for('@seta/tfjs-wasm-training/fused-adam');
function patchState(): PatchState {
  const g = globalThis as unknown as Record<symbol, PatchState | undefined>;
  return (g[PATCH_KEY] ??= { stock: null });
}

/**
 * The stock applyGradients (tfjs-core 4.22, `optimizers/adam_optimizer.js`)
 * with the per-variable chain of elementwise ops replaced by the fused
 * kernel; everything else — moment variables and their names, the β powers,
 * the iteration count, tidy — is the same.
 */
function fusedApplyGradients(this: AdamOptimizer, variableGradients: NamedTensorMap | { name: string; tensor: Tensor }[]): void {
  const stock = patchState().stock!;
  if (getBackend() !== 'wasm') return stock.call(this, variableGradients);
  const list = Array.isArray(variableGradients);
  const varNames = list ? variableGradients.map((v) => v.name) : Object.keys(variableGradients);
  const gradientOf = (name: string, i: number): Tensor | undefined =>
    list ? variableGradients[i]!.tensor : (variableGradients as NamedTensorMap)[name];
  for (let i = 0; i < varNames.length; i++) {
    const gradient = gradientOf(varNames[i]!, i);
    if (gradient != null && gradient.dtype !== 'float32') return stock.call(this, variableGradients);
  }
  const self = this as unknown as AdamInternals;
  const attrs: AdamAttrs = { beta1: self.beta1, beta2: self.beta2, epsilon: self.epsilon, learningRate: self.learningRate };
  const registered = engine().registeredVariables;
  tidy(() => {
    const c1 = sub(1, self.accBeta1) as Scalar;
    const c2 = sub(1, self.accBeta2) as Scalar;
    varNames.forEach((name, i) => {
      const value = registered[name]!;
      const trainable = false;
      if (self.accumulatedFirstMoment[i] == null) {
        self.accumulatedFirstMoment[i] = { originalName: `${name}/m`, variable: tidy(() => zerosLike(value).variable(trainable)) };
      }
      if (self.accumulatedSecondMoment[i] == null) {
        self.accumulatedSecondMoment[i] = { originalName: `${name}/v`, variable: tidy(() => zerosLike(value).variable(trainable)) };
      }
      const gradient = gradientOf(name, i);
      if (gradient == null) return;
      const firstMoment = self.accumulatedFirstMoment[i]!.variable;
      const secondMoment = self.accumulatedSecondMoment[i]!.variable;
      const [newM, newV, newX] = engine().runKernel(
        FUSED_ADAM_KERNEL,
        { x: value, m: firstMoment, v: secondMoment, g: gradient, c1, c2 },
        attrs as unknown as Record<string, number>,
      ) as Tensor[];
      firstMoment.assign(newM!);
      secondMoment.assign(newV!);
      value.assign(newX!);
    });
    self.accBeta1.assign(mul(self.accBeta1, self.beta1));
    self.accBeta2.assign(mul(self.accBeta2, self.beta2));
  });
  self.incrementIterations();
}

/** Route AdamOptimizer.applyGradients through the fused kernel on wasm. Idempotent. */
export function installFusedAdam(): void {
  const state = patchState();
  if (state.stock !== null) return;
  const proto = AdamOptimizer.prototype as unknown as { applyGradients: ApplyGradients };
  state.stock = proto.applyGradients;
  proto.applyGradients = fusedApplyGradients;
}

/** Restore the stock AdamOptimizer.applyGradients. Idempotent. */
export function uninstallFusedAdam(): void {
  const state = patchState();
  if (state.stock === null) return;
  (AdamOptimizer.prototype as unknown as { applyGradients: ApplyGradients }).applyGradients = state.stock;
  state.stock = null;
}

/** Whether the fused path is installed. */
export function fusedAdamInstalled(): boolean {
  return patchState().stock !== null;
}
