/*
 * The published ES module build, bundled for the browser with esbuild next to
 * plain `@tensorflow/tfjs` and the wasm backend, then run in a browser-like
 * context (a `vm` context with `window`, `document`, `fetch`, `WebAssembly` —
 * and no `process`, `require` or Node module): the wasm backend loads its
 * binary through `fetch`, a CNN cannot train on stock wasm, and trains once
 * the kernels are registered. Needs `dist/` (turbo runs `build` first).
 */
import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import vm from 'node:vm';
import { build } from 'esbuild';
import type { Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

const pkg = resolve(import.meta.dirname, '..');
const dist = join(pkg, 'dist/index.js');
const wasmDir = join(pkg, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
const origin = 'https://bundle.test/';

const entry = `
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmTrainingKernels, unregisterWasmTrainingKernels } from ${JSON.stringify(dist)};

self.trainOnWasm = async (wasmPrefix) => {
  setWasmPaths(wasmPrefix);
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not initialise');
  const x = tf.randomNormal([8, 8, 8, 1], 0, 1, 'float32', 1);
  const y = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
  const model = tf.sequential({ layers: [
    tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu',
                       kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
  ] });
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy' });
  let stockError = null;
  try { await model.fit(x, y, { epochs: 1, batchSize: 8, verbose: 0 }); } catch (e) { stockError = String(e.message); }
  const kernels = registerWasmTrainingKernels();
  const history = await model.fit(x, y, { epochs: 20, batchSize: 8, verbose: 0 });
  unregisterWasmTrainingKernels();
  return { backend: tf.getBackend(), stockError, kernels: [...kernels], loss: history.history.loss };
};
`;

let code = '';
let metafile: Metafile;

beforeAll(async () => {
  if (!existsSync(dist)) throw new Error(`bundle test: ${dist} is missing; build the package first (npx pnpm@10.34.9 --filter @seta/tfjs-wasm-training build)`);
  const result = await build({
    stdin: { contents: entry, resolveDir: pkg, loader: 'js' },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  code = result.outputFiles[0]!.text;
  metafile = result.metafile;
});

const isBuiltin = (path: string) => path.startsWith('node:') || builtinModules.includes(path.split('/')[0]!);

describe('@seta/tfjs-wasm-training in a browser bundle', () => {
  it('bundles for the browser without Node built-ins from this package', () => {
    const own = metafile.inputs['dist/index.js'];
    expect(own, 'the bundle includes dist/index.js').toBeDefined();
    for (const { path } of own!.imports) {
      expect(isBuiltin(path) || path.startsWith('(disabled)'), `dist/index.js imports ${path}`).toBe(false);
    }
    // Nothing in the bundle resolved to a Node module (tfjs's own optional ones are disabled by its `browser` field).
    for (const path of Object.keys(metafile.inputs)) expect(isBuiltin(path), path).toBe(false);
    expect(readFileSync(dist, 'utf8')).not.toMatch(/\brequire\(|from "node:/);
  });

  it('registers the kernels and trains a CNN on wasm in a context with no Node APIs', async () => {
    const context: Record<string, unknown> = {
      console, setTimeout, clearTimeout, setInterval, clearInterval, queueMicrotask,
      WebAssembly: (globalThis as Record<string, unknown>)['WebAssembly'], TextEncoder, TextDecoder, performance, URL, Response,
      document: { createElement: () => ({ getContext: () => null }) },
      navigator: { userAgent: 'seta-bundle-test', hardwareConcurrency: 1 },
      location: { href: origin },
      // The wasm binaries, served as a web server would.
      fetch: async (url: unknown) => {
        const u = String(url);
        if (!u.startsWith(origin)) return new Response(null, { status: 404 });
        return new Response(readFileSync(join(wasmDir, u.slice(origin.length))), { headers: { 'content-type': 'application/wasm' } });
      },
    };
    context['window'] = context;
    context['self'] = context;
    vm.createContext(context);
    vm.runInContext(code, context);
    expect(vm.runInContext('typeof process + typeof require', context)).toBe('undefinedundefined');
    const run = context['trainOnWasm'] as (prefix: string) => Promise<{ backend: string; stockError: string | null; kernels: string[]; loss: number[] }>;
    const { backend, stockError, kernels, loss } = await run(origin);
    expect(backend).toBe('wasm');
    expect(stockError).toMatch(/Conv2DBackpropFilter/);
    expect(kernels).toContain('Conv2DBackpropFilter');
    expect(loss).toHaveLength(20);
    expect(loss[19]!).toBeLessThan(loss[0]! * 0.1);
  });
});
