import * as tf from '@tensorflow/tfjs-core';
import { SetaError, checkOptionKeys, checkOptions, describeValue } from '@seta/core';
import { registerGradients, registerWasmTrainingKernels } from '@seta/tfjs-wasm-training';

/** A family of backends `selectBackend` can be asked for. */
export type BackendKind = 'tensorflow' | 'wasm' | 'cpu';

/** One backend `selectBackend` considered, and why it was or was not taken. */
export interface BackendAttempt {
  /** The package tried: `@tensorflow/tfjs-node-gpu`, `@tensorflow/tfjs-node`, `@tensorflow/tfjs-backend-wasm` or `@tensorflow/tfjs-backend-cpu`. */
  readonly name: string;
  readonly ok: boolean;
  /** Why it was passed over ("not installed", "no CUDA device", …), or a note on how it was used. */
  readonly reason?: string;
}

/** What {@link selectBackend} settled on. */
export interface SelectBackendResult {
  /** The backend now active (`tf.getBackend()`): `tensorflow`, `wasm` or `cpu`. */
  readonly name: string;
  /** Every backend considered, fastest first, up to and including the one taken. */
  readonly tried: BackendAttempt[];
}

/** Options of {@link selectBackend}. */
export interface SelectBackendOptions {
  /**
   * Families to consider, in order of preference (default `['tensorflow',
   * 'wasm', 'cpu']`). `'tensorflow'` stands for `@tensorflow/tfjs-node-gpu`
   * (taken only with a CUDA device) then `@tensorflow/tfjs-node`.
   */
  readonly prefer?: readonly BackendKind[];
  /**
   * Register the wasm training kernels when wasm is chosen (default true).
   * Turn off only to measure the backend without them.
   */
  readonly wasmTrainingKernels?: boolean;
  /**
   * How a backend package is loaded (default: dynamic `import()`). For tests,
   * and for bundlers that must see static imports.
   */
  readonly load?: (specifier: string) => Promise<unknown>;
}

const KINDS: readonly BackendKind[] = ['tensorflow', 'wasm', 'cpu'];
const NODE_GPU = '@tensorflow/tfjs-node-gpu';
const NODE = '@tensorflow/tfjs-node';
const WASM = '@tensorflow/tfjs-backend-wasm';
const CPU = '@tensorflow/tfjs-backend-cpu';

// A variable specifier, so that bundlers do not try to resolve optional native packages.
const defaultLoad = (specifier: string): Promise<unknown> => import(/* @vite-ignore */ specifier);

/** Whether `error` says that `specifier` itself (not one of its dependencies) cannot be found. */
function isNotInstalled(error: unknown, specifier: string): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = e?.code;
  const message = typeof e?.message === 'string' ? e.message : '';
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND' || /Cannot find (module|package)/.test(message)) &&
    (message.includes(`'${specifier}'`) || message.includes(`"${specifier}"`))
  );
}

function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0]!.trim();
}

type Outcome = { ok: true; reason?: string } | { ok: false; reason: string };

/**
 * Make the fastest TensorFlow.js backend that works here the active one, in
 * the order `@tensorflow/tfjs-node-gpu` (only with a CUDA device),
 * `@tensorflow/tfjs-node`, the wasm backend, the cpu backend — or in the order
 * `prefer` gives. Every backend is an optional peer dependency: install the
 * ones you want. When it settles on wasm it first registers the training
 * kernels that backend lacks or runs slowly ({@link registerWasmTrainingKernels});
 * whatever it picks, it registers TensorFlow.js's gradients if they are
 * missing ({@link registerGradients}).
 *
 * Cost: loads at most one package per family; the wasm backend compiles its
 * module once (about 0.1 s).
 *
 * @param options - `prefer`: the families to try, in order; `load`: how to load a package.
 * @returns the active backend's name and, for each backend tried, whether it
 *   worked and why not ("not installed", "no CUDA device", "failed to load: …").
 * @throws TypeError or RangeError for bad options; SetaError (with `cause`)
 *   when none of the candidates works.
 * @example
 * ```ts
 * const { name, tried } = await selectBackend();
 * // name: 'wasm'
 * // tried: [{ name: '@tensorflow/tfjs-node-gpu', ok: false, reason: 'not installed' },
 * //         { name: '@tensorflow/tfjs-node', ok: false, reason: 'not installed' },
 * //         { name: '@tensorflow/tfjs-backend-wasm', ok: true }]
 * ```
 */
export async function selectBackend(options: SelectBackendOptions = {}): Promise<SelectBackendResult> {
  const fn = 'selectBackend()';
  checkOptions(fn, options);
  checkOptionKeys(fn, options, ['prefer', 'wasmTrainingKernels', 'load']);
  const prefer: unknown = options.prefer ?? KINDS;
  if (!Array.isArray(prefer) || prefer.length === 0) {
    throw new TypeError(`${fn}: prefer must be a non-empty array of "tensorflow", "wasm", "cpu", got ${describeValue(prefer)}`);
  }
  for (const kind of prefer) {
    if (!KINDS.includes(kind as BackendKind)) {
      throw new RangeError(`${fn}: prefer must hold only "tensorflow", "wasm", "cpu", got ${describeValue(kind)}`);
    }
  }
  const load = options.load ?? defaultLoad;
  if (typeof load !== 'function') throw new TypeError(`${fn}: load must be a function, got ${describeValue(load)}`);
  const withKernels = options.wasmTrainingKernels ?? true;
  if (typeof withKernels !== 'boolean') {
    throw new TypeError(`${fn}: wasmTrainingKernels must be a boolean, got ${describeValue(withKernels)}`);
  }

  const tried: BackendAttempt[] = [];
  let lastError: unknown;
  /** Set when tfjs-node-gpu loaded without a CUDA device: its tensorflow backend still runs on the CPU. */
  let gpuPackageOnCpu = false;
  let gpuPackageTried = false;

  const tryLoad = async (specifier: string): Promise<Outcome> => {
    try {
      await load(specifier);
      return { ok: true };
    } catch (error) {
      lastError = error;
      if (isNotInstalled(error, specifier)) return { ok: false, reason: 'not installed' };
      return { ok: false, reason: `failed to load: ${firstLine(error)}` };
    }
  };

  const activate = async (backendName: string): Promise<Outcome> => {
    if (tf.findBackendFactory(backendName) === null && tf.findBackend(backendName) === null) {
      return { ok: false, reason: `loaded, but no "${backendName}" backend was registered (another copy of @tensorflow/tfjs-core?)` };
    }
    try {
      if (!(await tf.setBackend(backendName))) return { ok: false, reason: `the "${backendName}" backend failed to initialise` };
      await tf.ready();
      return { ok: true };
    } catch (error) {
      lastError = error;
      return { ok: false, reason: `the "${backendName}" backend failed to initialise: ${firstLine(error)}` };
    }
  };

  const candidates: Record<BackendKind, readonly [string, () => Promise<Outcome>][]> = {
    tensorflow: [
      [
        NODE_GPU,
        async () => {
          gpuPackageTried = true;
          const loaded = await tryLoad(NODE_GPU);
          if (!loaded.ok) return loaded;
          const active = await activate('tensorflow');
          if (!active.ok) return active;
          if ((tf.backend() as { isUsingGpuDevice?: unknown }).isUsingGpuDevice !== true) {
            gpuPackageOnCpu = true;
            return { ok: false, reason: 'no CUDA device' };
          }
          return { ok: true };
        },
      ],
      [
        NODE,
        async () => {
          if (gpuPackageOnCpu) {
            // Both packages register "tensorflow"; the GPU one already did, and runs on the CPU.
            const active = await activate('tensorflow');
            return active.ok ? { ok: true, reason: `served by ${NODE_GPU} on the CPU (no CUDA device)` } : active;
          }
          // After a failed tfjs-node-gpu, whose import got as far as registering its kernels, tfjs-node
          // registers the same ones again: keep TensorFlow.js's hundreds of "already registered" warnings quiet.
          const quiet = gpuPackageTried && !tf.env().getBool('PROD');
          if (quiet) tf.env().set('PROD', true);
          try {
            const loaded = await tryLoad(NODE);
            return loaded.ok ? activate('tensorflow') : loaded;
          } finally {
            if (quiet) tf.env().set('PROD', false);
          }
        },
      ],
    ],
    wasm: [
      [
        WASM,
        async () => {
          const loaded = await tryLoad(WASM);
          if (!loaded.ok) return loaded;
          if (withKernels) {
            try {
              registerWasmTrainingKernels();
            } catch (error) {
              lastError = error;
              return { ok: false, reason: `training kernels could not be registered: ${firstLine(error)}` };
            }
          }
          return activate('wasm');
        },
      ],
    ],
    cpu: [
      [
        CPU,
        async () => {
          const loaded = await tryLoad(CPU);
          return loaded.ok ? activate('cpu') : loaded;
        },
      ],
    ],
  };

  for (const kind of prefer as readonly BackendKind[]) {
    for (const [name, attempt] of candidates[kind]) {
      const outcome = await attempt();
      tried.push(outcome.reason === undefined ? { name, ok: outcome.ok } : { name, ok: outcome.ok, reason: outcome.reason });
      if (outcome.ok) {
        registerGradients();
        return { name: tf.getBackend(), tried };
      }
    }
  }
  const summary = tried.map((t) => `${t.name}: ${t.reason ?? 'failed'}`).join('; ');
  throw new SetaError(`${fn}: no TensorFlow.js backend could be used (${summary})`, { cause: lastError });
}
