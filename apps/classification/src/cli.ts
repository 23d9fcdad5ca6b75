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
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { selectBackend } from '@seta/tfjs-trainer';
import { runExperiment } from './experiment.js';
import { fashionMnistDir, loadDataset, parseList, parsePositive, parseSeeds, readRunRecords } from '@seta-apps/shared';
import { writePlots } from './plots.js';
import type { Level, ModelName, RunConfig, RunRecord, StrategyName } from './record.js';
import { markdownReport } from './report.js';
import { LEVELS, STRATEGIES, strategyOptions } from './strategies.js';

interface Profile {
  model: ModelName;
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
  tiny: { model: 'mlp', strategies: [...STRATEGIES], levels: ['L2'], seeds: [0], epochs: 2, batchSize: 64, learningRate: 1e-3, trainSize: 600, testSize: 200 },
  /** `pnpm start`: full, dynamic random, InfoBatch and SeTa at one level, one seed. */
  quick: { model: 'mlp', strategies: ['full', 'dynamicRandom', 'infobatch', 'seta'], levels: ['L2'], seeds: [0], epochs: 10, batchSize: 256, learningRate: 1e-3, trainSize: 60_000, testSize: 10_000 },
  /** The whole matrix: every strategy at every level, three seeds. */
  full: { model: 'mlp', strategies: [...STRATEGIES], levels: [...LEVELS], seeds: [0, 1, 2], epochs: 12, batchSize: 256, learningRate: 1e-3, trainSize: 60_000, testSize: 10_000 },
};

const USAGE = `Usage: seta-classification [options]

  --profile tiny|quick|full   preset (default quick)
  --model mlp|cnn             model (default: the profile's)
  --strategies a,b,…          ${STRATEGIES.join(', ')}
  --levels L1,L2,L3           pruning levels (≈ 30, 50, 70 % of visits saved)
  --seeds 0,1,2               seeds
  --epochs N  --batch-size N  --lr X  --train-size N  --test-size N
  --label-noise P             symmetric label noise on the training set (e.g. 0.2)
  --data-dir DIR              a directory of MNIST-format files (default: the shipped Fashion-MNIST)
  --backend wasm|cpu|tensorflow   force a backend (default: the fastest that works)
  --out DIR                   output folder (default runs/<profile>)
  --notes FILE                Markdown appended to the report (e.g. the reading of the results)
  --no-progress               no progress bars
  --help`;

export function runId(c: Pick<RunConfig, 'model' | 'strategy' | 'level' | 'seed' | 'labelNoise'>): string {
  return `${c.model}-${c.strategy}-${c.level}-seed${c.seed}${c.labelNoise > 0 ? `-noise${c.labelNoise}` : ''}`;
}

/** Read every run record in `dir/runs`. */
export function readRecords(dir: string): RunRecord[] {
  return readRunRecords<RunRecord>(dir);
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      profile: { type: 'string', default: 'quick' },
      model: { type: 'string' },
      strategies: { type: 'string' },
      levels: { type: 'string' },
      seeds: { type: 'string' },
      epochs: { type: 'string' },
      'batch-size': { type: 'string' },
      lr: { type: 'string' },
      'train-size': { type: 'string' },
      'test-size': { type: 'string' },
      'label-noise': { type: 'string' },
      'data-dir': { type: 'string' },
      backend: { type: 'string' },
      out: { type: 'string' },
      notes: { type: 'string' },
      'no-progress': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const base = PROFILES[values.profile!];
  if (base === undefined) throw new RangeError(`--profile: unknown profile "${values.profile}"; expected one of ${Object.keys(PROFILES).join(', ')}`);
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
  const out = resolve(values.out ?? join(appDir, 'runs', values.profile!));
  const progress = values['no-progress'] ? false : 'auto';

  const t0 = performance.now();
  const dataset = loadDataset(dataDir);
  const prefer = values.backend === undefined ? undefined : (parseList(values.backend, ['tensorflow', 'wasm', 'cpu'] as const, 'backend') ?? []);
  const { name: backend, tried } = await selectBackend(prefer === undefined ? {} : { prefer });
  console.log(`backend: ${backend}${tried.filter((t) => !t.ok).map((t) => ` (${t.name}: ${t.reason})`).join('')}`);
  console.log(`data: ${dataDir} — ${dataset.train.count} training, ${dataset.test.count} test images`);

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
  mkdirSync(join(out, 'runs'), { recursive: true });
  let index = 0;
  for (const config of configs) {
    index++;
    const id = runId(config);
    const file = join(out, 'runs', `${id}.json`);
    if (existsSync(file)) {
      console.log(`[${index}/${configs.length}] ${id}: already done, skipped`);
      continue;
    }
    console.log(`[${index}/${configs.length}] ${id}: ${JSON.stringify(config.strategyOptions)}`);
    const checkpointDir = join(out, 'checkpoints', id);
    const record = await runExperiment(config, {
      dataset,
      backend,
      progress,
      checkpointDir,
      onEpoch: (e) => {
        if (progress === false || !process.stderr.isTTY) {
          console.log(
            `  epoch ${e.epoch}: ${e.phase}, visited ${e.visited}, loss ${e.trainLoss.toFixed(4)}, test ${(e.testAccuracy * 100).toFixed(2)} %, ${(e.wallTimeMs / 1000).toFixed(1)} s`,
          );
        }
      },
    });
    writeFileSync(file, JSON.stringify(record, null, 1) + '\n');
    rmSync(checkpointDir, { recursive: true, force: true });
    console.log(
      `  → accuracy ${(record.finalAccuracy * 100).toFixed(2)} %, saved ${(record.savedRatio * 100).toFixed(1)} % of visits, ${(record.trainTimeMs / 1000).toFixed(1)} s training`,
    );
  }
  rmSync(join(out, 'checkpoints'), { recursive: true, force: true });

  const records = readRecords(out).filter((r) => r.config.model === profile.model);
  const command = `node apps/classification/dist/cli.js ${argv.join(' ')}`.trim();
  const notes = values.notes === undefined ? undefined : readFileSync(resolve(values.notes), 'utf8');
  const title = `Fashion-MNIST, ${profile.model.toUpperCase()}: pruning strategies compared${labelNoise > 0 ? ` (label noise ${labelNoise * 100} %)` : ''}`;
  const report = markdownReport(records, { title, command, ...(notes === undefined ? {} : { notes }) });
  writeFileSync(join(out, 'report.md'), report);
  // The report's tables, for the terminal (the full text is in report.md).
  console.log(`\n${report.split('\n').filter((line) => line.startsWith('|') || line.startsWith('## ')).join('\n')}`);
  const plots = await writePlots(records, join(out, 'plots'), { model: profile.model, levels: profile.levels });
  console.log(`\nreport: ${join(out, 'report.md')}`);
  for (const p of plots) console.log(`plot: ${p}`);
  console.log(`done in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  return 0;
}

if (process.argv[1] !== undefined && import.meta.url === new URL(`file://${resolve(process.argv[1])}`).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
      process.exit(1);
    },
  );
}
