/**
 * The classification comparison from the command line.
 *
 *   node dist/cli.js --profile quick                 # what `pnpm start` runs
 *   node dist/cli.js --profile full --out ../../docs/results/classification-mlp
 *
 * Every run writes its JSON record as soon as it finishes (runs already on
 * disk are skipped, so an interrupted matrix resumes where it stopped; each
 * run also checkpoints after every epoch), then the report and plots are
 * rebuilt from all records in the output folder.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { selectBackend } from '@seta/tfjs-trainer';
import { COMMON_OPTIONS, commandLine, fashionMnistDir, gitCommit, machineDescription, loadDataset, logSetting, parseBackend, parseList, parsePositive, parseSeeds, pickProfile, readNotes, reportTables, runIfMain, writeFileAtomic, writeReport } from '@seta-apps/shared';
import { EVIDENCE_ARMS, EVIDENCE_BUDGETS, evidenceConfigs, evidenceSummary, totalVisits } from './evidence.js';
import { equalVisitsSection, evidenceReport, writeEvidencePlots } from './evidence-report.js';
import { runId, runMatrix, workerMain } from './matrix.js';
import type { WorkerSetup } from './matrix.js';
import { writePlots } from './plots.js';
import type { Level, ModelName, RunConfig, RunRecord, StrategyName } from './record.js';
import { readRecordsIn } from './record-io.js';
import { markdownReport } from './report.js';
import { LEVELS, STRATEGIES, strategyOptions } from './strategies.js';

interface Profile {
  model: ModelName;
  /** Also train full data at each pruned run's visits, and report the pair (the quick comparison's equal-compute baseline). */
  equalVisits: boolean;
  strategies: StrategyName[];
  levels: Exclude<Level, 'none'>[];
  seeds: number[];
  epochs: number;
  batchSize: number;
  learningRate: number;
  trainSize: number;
  testSize: number;
}

export const PROFILES: Record<string, Profile> = {
  /** A smoke test: seconds. */
  tiny: { model: 'mlp', equalVisits: true, strategies: [...STRATEGIES], levels: ['L2'], seeds: [0], epochs: 2, batchSize: 64, learningRate: 1e-3, trainSize: 600, testSize: 200 },
  /** `pnpm start`: full, dynamic random, InfoBatch and SeTa at one level, one seed. */
  quick: { model: 'mlp', equalVisits: true, strategies: ['full', 'dynamicRandom', 'infobatch', 'seta'], levels: ['L2'], seeds: [0], epochs: 10, batchSize: 256, learningRate: 1e-3, trainSize: 60_000, testSize: 10_000 },
  /** The whole matrix: every strategy at every level, three seeds. */
  full: { model: 'mlp', equalVisits: false, strategies: [...STRATEGIES], levels: [...LEVELS], seeds: [0, 1, 2], epochs: 12, batchSize: 256, learningRate: 1e-3, trainSize: 60_000, testSize: 10_000 },
  /**
   * The evidence study (src/evidence.ts): 55,000 / 5,000 / 10,000, full data at
   * six visit budgets and seven pruned arms per seed over a 30-epoch horizon,
   * five clean seeds and three with 20 % label noise.
   */
  evidence: { model: 'mlp', equalVisits: false, strategies: [...new Set(EVIDENCE_ARMS.map((a) => a.strategy))], levels: ['L1', 'L2'], seeds: [0, 1, 2, 3, 4], epochs: 30, batchSize: 256, learningRate: 1e-3, trainSize: 55_000, testSize: 10_000 },
};

/** The evidence profile's label-noise setting. */
const EVIDENCE_NOISE = { rate: 0.2, seeds: [0, 1, 2] };
const EVIDENCE_VALIDATION = 5_000;

const USAGE = `Usage: seta-classification [options]

  --profile tiny|quick|full|evidence   preset (default quick)
  --model mlp|cnn             model (default: the profile's)
  --strategies a,b,…          ${STRATEGIES.join(', ')}
  --levels L1,L2,L3           pruning levels (≈ 30, 50, 70 % of visits saved)
  --seeds 0,1,2               seeds
  --epochs N  --batch-size N  --lr X  --train-size N  --test-size N
  --label-noise P             symmetric label noise on the training set (e.g. 0.2)
  --data-dir DIR              a directory of MNIST-format files (default: the shipped Fashion-MNIST)
  --backend wasm|cpu|tensorflow   force a backend (default: the fastest that works)
  --out DIR                   output folder (default runs/<profile>)
  --jobs N                    runs in parallel worker processes (default 1)
  --noise-seeds 0,1,2         evidence profile: seeds of the label-noise setting (default 0,1,2; "none" to skip)
  --validation-size N         evidence profile: examples held out of training for validation (default 5000)
  --notes FILE                Markdown appended to the report (e.g. the reading of the results)
  --no-progress               no progress bars
  --help`;

export { runId };

/** Read every readable run record in `dir/runs` (unreadable ones are reported on stderr). */
export function readRecords(dir: string): RunRecord[] {
  const { records, unreadable } = readRecordsIn(dir);
  for (const reason of unreadable) console.error(`skipped: ${reason}`);
  return records;
}

async function loadSetting(setup: WorkerSetup) {
  // The models take 28×28 images: a data directory of another size is refused by the loader, naming the file.
  const dataset = loadDataset(setup.dataDir, { imageSize: [28, 28] });
  const backend = await selectBackend(setup.prefer === undefined ? {} : { prefer: setup.prefer as ('tensorflow' | 'wasm' | 'cpu')[] });
  return { dataset, backend: backend.name, choice: backend };
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...COMMON_OPTIONS,
      model: { type: 'string' },
      levels: { type: 'string' },
      'label-noise': { type: 'string' },
      jobs: { type: 'string' },
      'noise-seeds': { type: 'string' },
      'validation-size': { type: 'string' },
      worker: { type: 'string' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values.worker !== undefined) {
    await workerMain(values.worker, loadSetting);
    return 0;
  }
  const base = pickProfile(PROFILES, values.profile);
  const profile: Profile = {
    ...base,
    model: (parseList(values.model, ['mlp', 'cnn'] as const, 'model')?.[0] ?? base.model) as ModelName,
    strategies: parseList(values.strategies, STRATEGIES, 'strategies') ?? base.strategies,
    levels: parseList(values.levels, LEVELS, 'levels') ?? base.levels,
    seeds: parseSeeds(values.seeds) ?? base.seeds,
    epochs: parsePositive(values.epochs, 'epochs') ?? base.epochs,
    batchSize: parsePositive(values['batch-size'], 'batch-size') ?? base.batchSize,
    learningRate: parsePositive(values.lr, 'lr', false) ?? base.learningRate,
    trainSize: parsePositive(values['train-size'], 'train-size') ?? base.trainSize,
    testSize: parsePositive(values['test-size'], 'test-size') ?? base.testSize,
  };
  const labelNoise = values['label-noise'] === undefined ? 0 : Number(values['label-noise']);
  if (!(labelNoise >= 0 && labelNoise < 1)) throw new RangeError(`--label-noise: expected a rate in [0, 1), got "${values['label-noise']}"`);
  const appDir = resolve(import.meta.dirname, '..');
  const dataDir = resolve(values['data-dir'] ?? fashionMnistDir());
  const out = resolve(values.out ?? join(appDir, 'runs', values.profile));

  const jobs = parsePositive(values.jobs, 'jobs') ?? 1;
  const progress: boolean | 'auto' = values['no-progress'] || jobs > 1 ? false : 'auto';
  const notes = readNotes(values.notes);
  const command = commandLine('classification', argv);

  const t0 = performance.now();
  const setup: WorkerSetup = { dataDir, prefer: parseBackend(values.backend) };
  const { dataset, backend, choice } = await loadSetting(setup);
  logSetting(choice, dataDir, dataset);
  mkdirSync(join(out, 'runs'), { recursive: true });
  const matrix = { out, jobs, dataset, backend, workerScript: join(appDir, 'dist', 'cli.js'), workerSetup: setup, progress };
  const machine = machineDescription(backend);

  if (values.profile === 'evidence') {
    const validationSize = parsePositive(values['validation-size'], 'validation-size') ?? EVIDENCE_VALIDATION;
    if (validationSize >= dataset.train.count) {
      throw new RangeError(`--validation-size: must be below the ${dataset.train.count} training examples, got ${validationSize}`);
    }
    const noiseSeeds = values['noise-seeds'] === 'none' ? [] : (parseSeeds(values['noise-seeds'], 'noise-seeds') ?? EVIDENCE_NOISE.seeds);
    const configs = evidenceConfigs({
      model: profile.model,
      epochs: profile.epochs,
      batchSize: profile.batchSize,
      learningRate: profile.learningRate,
      trainSize: Math.min(profile.trainSize, dataset.train.count - validationSize),
      validationSize,
      testSize: Math.min(profile.testSize, dataset.test.count),
      budgets: EVIDENCE_BUDGETS,
      arms: EVIDENCE_ARMS.filter((a) => profile.strategies.includes(a.strategy) && profile.levels.includes(a.level)),
      seeds: profile.seeds,
      noiseSeeds,
      labelNoise: EVIDENCE_NOISE.rate,
    });
    await runMatrix(configs, matrix);
    rmSync(join(out, 'checkpoints'), { recursive: true, force: true });
    const wanted = new Set(configs.map(runId));
    const records = readRecords(out).filter((r) => wanted.has(runId(r.config)));
    const summary = evidenceSummary(records, { command, commit: gitCommit(), horizon: profile.epochs });
    writeFileAtomic(join(out, 'summary.json'), JSON.stringify(summary, null, 1) + '\n');
    const report = evidenceReport(summary, {
      title: `Fashion-MNIST, ${profile.model.toUpperCase()}: visits saved at equal accuracy, against full data of equal compute`,
      machine,
      ...(notes === undefined ? {} : { notes }),
    });
    writeFileAtomic(join(out, 'report.md'), report);
    console.log(`\n${reportTables(report).slice(0, 24).join('\n')}`);
    for (const p of await writeEvidencePlots(records, summary, join(out, 'plots'))) console.log(`plot: ${p}`);
    console.log(`\nreport: ${join(out, 'report.md')}\nsummary: ${join(out, 'summary.json')}\ndone in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    return 0;
  }

  const configs: RunConfig[] = [];
  for (const seed of profile.seeds) {
    for (const strategy of profile.strategies) {
      for (const level of strategy === 'full' ? (['none'] as const) : profile.levels) {
        configs.push({
          model: profile.model,
          strategy,
          level,
          strategyOptions: strategyOptions(strategy, level),
          seed,
          epochs: profile.epochs,
          batchSize: profile.batchSize,
          learningRate: profile.learningRate,
          trainSize: Math.min(profile.trainSize, dataset.train.count),
          testSize: Math.min(profile.testSize, dataset.test.count),
          labelNoise,
        });
      }
    }
  }
  await runMatrix(configs, matrix);
  // Each pruned run beside full data trained for the same visits, from the
  // same initial weights: the comparison that says whether pruning beat
  // simply training shorter.
  const pruned = readRecords(out).filter((r) => configs.some((c) => runId(c) === runId(r.config)) && r.config.strategy !== 'full');
  const matched = pruned.map((r) => {
    const budgetEpochs = Math.round((totalVisits(r) / r.config.trainSize) * 1000) / 1000;
    return { ...r.config, strategy: 'full' as const, level: 'none' as const, strategyOptions: {}, epochs: Math.ceil(budgetEpochs - 1e-9), budgetEpochs };
  });
  const uniqueMatched = [...new Map(matched.map((c) => [runId(c), c])).values()];
  if (profile.equalVisits && profile.strategies.includes('full') && uniqueMatched.length > 0) {
    console.log(`\nfull data at each pruned run's visits (${uniqueMatched.length} runs):`);
    await runMatrix(uniqueMatched, matrix);
  }
  rmSync(join(out, 'checkpoints'), { recursive: true, force: true });

  const all = readRecords(out).filter((r) => r.config.model === profile.model);
  const records = all.filter((r) => r.config.budgetEpochs === undefined);
  const title = `Fashion-MNIST, ${profile.model.toUpperCase()}: pruning strategies compared${labelNoise > 0 ? ` (label noise ${labelNoise * 100} %)` : ''}`;
  const report = markdownReport(records, { title, command, machine, ...(notes === undefined ? {} : { notes }) });
  const equal = equalVisitsSection(all);
  const text = equal.length === 0 ? report : `${report.trimEnd()}\n\n${equal.join('\n')}\n`;
  await writeReport(out, text, () => writePlots(records, join(out, 'plots'), { model: profile.model, levels: profile.levels }), t0);
  return 0;
}

runIfMain(import.meta.url, main);
