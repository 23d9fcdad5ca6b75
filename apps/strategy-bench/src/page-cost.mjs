#!/usr/bin/env node
/**
 * What first touching memory costs on this machine, in ms per MB: allocate a
 * block, write one byte per 4 KiB page, time it. On an ordinary Linux host
 * this is ~0.1–0.4 ms per MB (the kernel zeroes each page). On the VMs these
 * benchmarks run on it has also been measured at 2–2.7 ms per MB for
 * stretches of time — the host faulting the guest's memory in behind it —
 * and a plan that pages in 100 MB then takes ~200 ms longer. The strategy
 * benchmark records this probe beside its figures, so that runs from
 * different times can be read side by side.
 *
 * As a script it prints the probe a few times, with pauses between (memory
 * freed for some seconds may be handed back to the host):
 *   node --expose-gc apps/strategy-bench/src/page-cost.mjs [MB] [pause-ms]
 */
import { pathToFileURL } from 'node:url';

/**
 * Touch a new block of `mb` MB, one write per 4 KiB page, and time it.
 *
 * @returns msPerMb, and faultedMb: the memory the touches faulted in, from the
 * process's minor page faults (near `mb` when the block was fresh memory).
 */
export function probeFirstTouch(mb = 64) {
  if (!(Number.isInteger(mb) && mb > 0)) throw new RangeError(`probeFirstTouch: mb must be a positive integer, got ${mb}`);
  const faults = process.resourceUsage().minorPageFault;
  const t = performance.now();
  const block = new Uint8Array(mb * 2 ** 20);
  for (let i = 0; i < block.length; i += 4096) block[i] = 1;
  const ms = performance.now() - t;
  const faultedMb = ((process.resourceUsage().minorPageFault - faults) * 4096) / 2 ** 20;
  return { mb, msPerMb: Math.round((ms / mb) * 1000) / 1000, faultedMb: Math.round(faultedMb) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const mb = Number(process.argv[2] ?? 200);
  const pause = Number(process.argv[3] ?? 3000);
  if (!(Number.isFinite(pause) && pause >= 0)) throw new RangeError(`page-cost.mjs: pause-ms must be a number ≥ 0, got ${process.argv[3]}`);
  for (let r = 0; r < 4; r++) {
    const p = probeFirstTouch(mb);
    console.log(`first touch of ${mb} MB: ${p.msPerMb.toFixed(2)} ms per MB (${p.faultedMb} MB faulted in)${r > 0 ? `, after a ${pause} ms pause` : ''}`);
    if (globalThis.gc) globalThis.gc();
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pause);
  }
}
