/**
 * Measurement of one strategy at one size: drive a pruner as a training loop
 * would (batches of 256, synthetic losses) up to its first real pruning
 * epoch, and time plan(), observe() (with the endEpoch() that closes each
 * timed epoch, where a pruner may finish work on what it observed) and
 * saveState(). Then, optionally, go on for `laterPrunePlans` more pruning
 * plans (epochs whose plan has phase 'prune'), timed too: the first pruning
 * plan of a process runs partly unoptimized (V8 compiles the pruning code
 * while it runs) and allocates the pipeline's reusable temporaries, so later
 * pruning epochs — most of a training run — are cheaper. With each plan's
 * time goes the memory it touched for the first time (minor page faults):
 * where first touch is dear, as on the VMs these runs come from, that
 * explains much of a plan's time, and it depends on what the process
 * allocated and freed before (the allocator hands freed memory out again).
 */
import { batchPlan, Random } from '@seta/core';

/** Losses for a batch: a fixed per-id difficulty that decays with the epoch, plus noise. */
export function batchLosses(ids, epoch, rng, out) {
  const decay = Math.exp(-0.2 * epoch);
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    const difficulty = ((Math.imul(id, 0x9e3779b1) >>> 0) / 4294967296) * 2;
    out[i] = difficulty * decay + rng.nextUint32() / 4294967296 / 10;
  }
  return out;
}

/**
 * @param make () => pruner
 * @param pruneEpoch the first epoch whose plan is a real pruning step (InfoBatch/SeTa: 1; SCAN: a mutation epoch)
 * @param twoDirections observe two loss directions (SCAN)
 */
export function measure(make, { size, pruneEpoch, twoDirections = false, batchSize = 256, observeEpochs = [0], laterPrunePlans = 0 }) {
  const rng = new Random(7);
  const t0 = performance.now();
  const pruner = make();
  const buildMs = performance.now() - t0;
  const lossA = new Float32Array(batchSize);
  const lossB = new Float32Array(batchSize);
  let observeNs = 0;
  let observed = 0;
  const planMs = [];
  const planFreshMb = [];
  const planPhase = [];
  const endEpochMs = [];
  for (let e = 0; e <= pruneEpoch; e++) {
    const faults = minorFaults();
    const t = performance.now();
    const plan = pruner.plan(e);
    planMs.push(performance.now() - t);
    planFreshMb.push(faultMb(faults));
    planPhase.push(plan.phase);
    if (e === pruneEpoch) {
      const visited = plan.indices.length;
      const io = { rng, batchSize, twoDirections, lossA, lossB };
      if (laterPrunePlans > 0) observeEpoch(pruner, plan, e, io);
      else pruner.observe(plan.indices.subarray(0, 1), Float32Array.of(1), twoDirections ? Float32Array.of(1) : undefined);
      pruner.endEpoch();
      const s = performance.now();
      const state = pruner.saveState();
      const saveMs = performance.now() - s;
      const later = laterPlans(pruner, e, laterPrunePlans, io);
      return {
        planMsLater: later.planMs,
        planMsLaterMedian: median(later.planMs),
        planFreshMbLater: later.freshMb,
        laterEpochs: later.epochs,
        // Observe in the later epochs of the same phase as the first timed one
        // (SCAN: its next preparation epoch), when V8 has compiled the code.
        laterObserve: later.observe,
        observeNsLater: median(later.observe.filter((o) => o.phase === planPhase[observeEpochs[0]]).map((o) => o.nsPerSample)),
        size,
        buildMs,
        planMs: planMs[pruneEpoch],
        planMsByEpoch: planMs,
        // Memory each plan touched for the first time (minor page faults during plan(), in MB of 4 KiB pages).
        planFreshMbByEpoch: planFreshMb,
        visited,
        observeNsPerSample: observeNs / observed,
        endEpochMsTimed: endEpochMs,
        observedSamples: observed,
        stateBytes: state.length,
        stateBytesPerSample: state.length / size,
        saveMs,
      };
    }
    const timeThis = observeEpochs.includes(e) || e === pruneEpoch - 1;
    for (const { indices } of batchPlan(plan, batchSize)) {
      const a = batchLosses(indices, e, rng, lossA.subarray(0, indices.length));
      const b = twoDirections ? batchLosses(indices, e + 0.5, rng, lossB.subarray(0, indices.length)) : undefined;
      if (timeThis) {
        const s = performance.now();
        pruner.observe(indices, a, b);
        observeNs += (performance.now() - s) * 1e6;
        observed += indices.length;
      } else pruner.observe(indices, a, b);
    }
    if (timeThis) {
      // endEpoch counts as observation cost: a pruner may defer work on observed losses to it.
      const s = performance.now();
      pruner.endEpoch();
      const ms = performance.now() - s;
      observeNs += ms * 1e6;
      endEpochMs.push(ms);
    } else pruner.endEpoch();
  }
  throw new Error('unreachable');
}

/** Minor page faults of this process so far: first touches of memory. */
function minorFaults() {
  return process.resourceUsage().minorPageFault;
}

/** MB of 4 KiB pages first touched since `faults` was read. */
function faultMb(faults) {
  return Math.round(((minorFaults() - faults) * 4096) / 2 ** 20);
}

/** The median of `xs` (the mean of the middle two for an even count), or null if empty. */
export function median(xs) {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

/** Observe every id of `plan`, in batches, without ending the epoch; returns the ns spent in observe(). */
function observeEpoch(pruner, plan, epoch, { rng, batchSize, twoDirections, lossA, lossB }) {
  let ns = 0;
  for (const { indices } of batchPlan(plan, batchSize)) {
    const a = batchLosses(indices, epoch, rng, lossA.subarray(0, indices.length));
    const b = twoDirections ? batchLosses(indices, epoch + 0.5, rng, lossB.subarray(0, indices.length)) : undefined;
    const s = performance.now();
    pruner.observe(indices, a, b);
    ns += (performance.now() - s) * 1e6;
  }
  return ns;
}

/** After epoch `epoch` has ended: plan and observe on until `count` more pruning plans are timed (or the run ends). */
function laterPlans(pruner, epoch, count, io) {
  const planMs = [];
  const freshMb = [];
  const epochs = [];
  const observe = []; // { epoch, phase, nsPerSample } of every later epoch observed, endEpoch included
  for (let e = epoch + 1; planMs.length < count && e < pruner.epochs; e++) {
    const faults = minorFaults();
    const t = performance.now();
    const plan = pruner.plan(e);
    const ms = performance.now() - t;
    if (plan.phase === 'prune') {
      planMs.push(ms);
      freshMb.push(faultMb(faults));
      epochs.push(e);
      if (planMs.length === count) break;
    }
    let ns = observeEpoch(pruner, plan, e, io);
    const s = performance.now();
    pruner.endEpoch();
    ns += (performance.now() - s) * 1e6;
    observe.push({ epoch: e, phase: plan.phase, nsPerSample: plan.indices.length === 0 ? null : ns / plan.indices.length });
  }
  return { planMs, freshMb, epochs, observe };
}
