/**
 * Contrastive pre-training with pruning, from the command line.
 *
 *   node dist/cli.js --profile quick
 *   node dist/cli.js --profile full --out ../../docs/results/contrastive
 *
 * Every run writes its JSON record as soon as it finishes (runs already on
 * disk are skipped, so an interrupted matrix resumes where it stopped; each
 * run also checkpoints after every epoch), then the report and plots are
 * rebuilt from all records in the output folder.
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { COMMON_OPTIONS, commandLine, fashionMnistDir, gitCommit, loadDataset, logSetting, machineDescription, parseBackend, parseList, parsePositive, parseSeeds, pickProfile, readNotes, readRunRecords, reportTables, runIfMain, writeFileAtomic, writeReport } from '@seta-apps/shared';
import { selectBackend } from '@seta/tfjs-trainer';
import { EVIDENCE_ARMS, EVIDENCE_BUDGETS, evidenceConfigs, evidenceSummary } from './evidence.js';
import type { EvidenceSummary } from './evidence.js';
import { evidenceReport } from './evidence-report.js';
import { runExperiment } from './experiment.js';
import type { AugmentPreset } from './augment.js';
import { AUGMENT_PRESETS } from './augment.js';
import { writePlots } from './plots.js';
import type { RunConfig, RunRecord, StrategyName, Style } from './record.js';
import { markdownReport } from './report.js';
import { STRATEGIES, STYLES, strategyOptions } from './strategies.js';

export interface Profile {
  styles: Style[];
  strategies: StrategyName[];
  seeds: number[];
  epochs: number;
  batchSize: number;
  /** Adam's peak learning rate per style. */
  learningRate: Record<Style, number>;
  trainSize: number;
  testSize: number;
  evalSize: number;
  /** Evidence profiles: the full-data budgets (shares of the horizon's visits); absent for the plain comparison. */
  budgets?: readonly number[];
  /**
   * MoCo-style encoder and augmentation preset (absent: the MLP with mild
   * augmentations); `arms` limits an evidence profile's MoCo-style arms.
   */
  moco?: { readonly encoder: 'mlp' | 'cnn'; readonly augment: AugmentPreset; readonly arms?: readonly StrategyName[] };
  /** MoCo-style: labelled training images of the k-NN bank and the linear probe (absent: 10,000). */
  bankSize?: number;
}

/**
 * The evidence study's MoCo-style setting, chosen on validation images (the
 * last 5,000 training images; README "Choosing the MoCo-style setting"): the
 * small CNN, whose conv features pre-training improves beyond raw pixels,
 * with random resized crops. Its arms are SCAN and dynamic random pruning
 * (the control at the same share of visits): with the CNN's evaluations
 * each MoCo-style run costs about five CLIP-style ones, and four arms would
 * not fit a session here.
 */
export const EVIDENCE_MOCO = { encoder: 'cnn', augment: 'crop', arms: ['dynamicRandom', 'scan'] } as const;

export const PROFILES: Record<string, Profile> = {
  /** A smoke test: seconds. */
  tiny: { styles: [...STYLES], strategies: [...STRATEGIES], seeds: [0], epochs: 3, batchSize: 64, learningRate: { clip: 1e-3, moco: 3e-3 }, trainSize: 640, testSize: 300, evalSize: 200 },
  /** `pnpm start`-sized: both styles, every strategy, one seed (≤ 10 minutes here). */
  quick: { styles: [...STYLES], strategies: [...STRATEGIES], seeds: [0], epochs: 10, batchSize: 256, learningRate: { clip: 1e-3, moco: 3e-3 }, trainSize: 8_000, testSize: 2_000, evalSize: 1_000 },
  /** The committed results: both styles, every strategy, three seeds. */
  full: { styles: [...STYLES], strategies: [...STRATEGIES], seeds: [0, 1, 2], epochs: 14, batchSize: 256, learningRate: { clip: 1e-3, moco: 3e-3 }, trainSize: 12_000, testSize: 10_000, evalSize: 2_000 },
  /**
   * The evidence study (src/evidence.ts, issue 24): per style and seed, full
   * data at four visit budgets and four pruned arms, all from the seed's
   * initial weights; Δ vs the equal-compute curve with 95 % intervals.
   */
  evidence: {
    styles: [...STYLES], strategies: [...EVIDENCE_ARMS], seeds: [0, 1, 2], epochs: 20, batchSize: 256, learningRate: { clip: 1e-3, moco: 2e-3 },
    trainSize: 10_000, testSize: 10_000, evalSize: 2_000, budgets: EVIDENCE_BUDGETS, moco: EVIDENCE_MOCO,
  },
  /**
   * The evidence study's plumbing at a small size: one seed, four budgets,
   * a 2,000-image bank (≤ ~6 minutes here); one seed gives no interval.
   */
  'evidence-quick': {
    styles: [...STYLES], strategies: [...EVIDENCE_ARMS], seeds: [0], epochs: 8, batchSize: 128, learningRate: { clip: 1e-3, moco: 2e-3 },
    trainSize: 2_000, testSize: 1_000, evalSize: 500, budgets: EVIDENCE_BUDGETS, moco: EVIDENCE_MOCO, bankSize: 2_000,
  },
};

const USAGE = `Usage: seta-contrastive [options]

  --profile tiny|quick|full|evidence|evidence-quick   preset (default quick); the evidence
                              profiles compare every pruned arm with full data of equal compute
  --styles clip,moco          pre-training styles (default: both)
  --strategies a,b,…          ${STRATEGIES.join(', ')}
  --seeds 0,1,2               seeds
  --epochs N  --batch-size N  --lr X (both styles; default: the profile's)  --train-size N  --test-size N  --eval-size N
  --encoder mlp|cnn           MoCo-style encoder (default: the profile's)
  --augment ${Object.keys(AUGMENT_PRESETS).join('|')}   MoCo-style augmentations (default: the profile's)
  --bank-size N               MoCo-style labelled images of the k-NN bank and linear probe (default: the profile's, else 10,000)
  --eval-split test|validation  MoCo-style evaluation images: the test split (default), or the
                              last --test-size training images (for choosing settings)
  --mismatch P                share of ill-matched pairs (default 0.2)
  --duplicates P              share of near-duplicate pairs (default 0.2)
  --copies N                  copies per duplicated image (default 4)
  --data-dir DIR              a directory of MNIST-format files (default: the shipped Fashion-MNIST)
  --backend wasm|cpu|tensorflow   force a backend (default: the fastest that works)
  --out DIR                   output folder (default runs/<profile>)
  --notes FILE                Markdown appended to the report (e.g. the reading of the results)
  --report-only               evidence profiles: rewrite --out's report.md from its summary.json
                              and --notes, training and summarising nothing
  --no-progress               no progress bars
  --help`;

function share(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const x = Number(value);
  if (!(x >= 0 && x <= 0.9)) throw new RangeError(`--${name}: expected a share in [0, 0.9], got "${value}"`);
  return x;
}

/** `value` if it is one of `allowed`, undefined if absent; otherwise a RangeError naming the option. */
function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], name: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new RangeError(`--${name}: expected one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

/** The file name of a run. */
export function runId(c: Pick<RunConfig, 'style' | 'strategy' | 'seed' | 'budgetEpochs'>): string {
  return `${c.style}-${c.strategy}${c.budgetEpochs === undefined ? '' : `-b${c.budgetEpochs.toFixed(3)}`}-seed${c.seed}`;
}

/** Read every run record in `dir/runs`. */
export function readRecords(dir: string): RunRecord[] {
  return readRunRecords<RunRecord>(dir);
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

/** The title of the evidence study's report. */
export const EVIDENCE_TITLE = 'Contrastive pre-training on Fashion-MNIST: pruning against full data of equal compute';

/**
 * Rewrite `out/report.md` from `out/summary.json` and `notes` with this
 * version's report layout, without training or summarising the records
 * again: the figures, command and commit are the summary's, and the machine
 * line is kept from the report it replaces (the summary records none).
 *
 * @returns the report's path.
 * @throws Error if `out` holds no summary.json.
 */
export function rewriteEvidenceReport(out: string, notes: string | undefined): string {
  const summaryFile = join(out, 'summary.json');
  if (!existsSync(summaryFile)) throw new Error(`--report-only: ${summaryFile} does not exist; run an evidence profile into ${out} first`);
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as EvidenceSummary;
  const reportFile = join(out, 'report.md');
  const previous = existsSync(reportFile) ? readFileSync(reportFile, 'utf8') : '';
  const machine = /^Machine: (.*)\.$/m.exec(previous)?.[1] ?? 'not recorded';
  writeFileAtomic(reportFile, evidenceReport(summary, { title: EVIDENCE_TITLE, machine, ...(notes === undefined ? {} : { notes }) }));
  return reportFile;
}

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      ...COMMON_OPTIONS,
      styles: { type: 'string' },
      'eval-size': { type: 'string' },
      mismatch: { type: 'string' },
      duplicates: { type: 'string' },
      copies: { type: 'string' },
      encoder: { type: 'string' },
      augment: { type: 'string' },
      'eval-split': { type: 'string' },
      'bank-size': { type: 'string' },
      'report-only': { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (values['report-only']) {
    pickProfile(PROFILES, values.profile);
    const file = rewriteEvidenceReport(resolve(values.out ?? join(resolve(import.meta.dirname, '..'), 'runs', values.profile)), readNotes(values.notes));
    console.log(`report: ${file}`);
    return 0;
  }
  const base = pickProfile(PROFILES, values.profile);
  const profile: Profile = {
    styles: parseList(values.styles, STYLES, 'styles') ?? base.styles,
    strategies: parseList(values.strategies, STRATEGIES, 'strategies') ?? base.strategies,
    seeds: parseSeeds(values.seeds) ?? base.seeds,
    epochs: parsePositive(values.epochs, 'epochs') ?? base.epochs,
    batchSize: parsePositive(values['batch-size'], 'batch-size') ?? base.batchSize,
    learningRate: values.lr === undefined ? base.learningRate : { clip: parsePositive(values.lr, 'lr', false)!, moco: parsePositive(values.lr, 'lr', false)! },
    trainSize: parsePositive(values['train-size'], 'train-size') ?? base.trainSize,
    testSize: parsePositive(values['test-size'], 'test-size') ?? base.testSize,
    evalSize: parsePositive(values['eval-size'], 'eval-size') ?? base.evalSize,
    ...(base.budgets === undefined ? {} : { budgets: base.budgets }),
    ...(base.moco === undefined ? {} : { moco: base.moco }),
  };
  const bankSize = parsePositive(values['bank-size'], 'bank-size') ?? base.bankSize;
  const encoder = oneOf(values.encoder, ['mlp', 'cnn'] as const, 'encoder') ?? base.moco?.encoder ?? 'mlp';
  const augment = oneOf(values.augment, Object.keys(AUGMENT_PRESETS) as AugmentPreset[], 'augment') ?? base.moco?.augment ?? 'mild';
  const evalSplit = oneOf(values['eval-split'], ['test', 'validation'] as const, 'eval-split') ?? 'test';
  // The MLP with mild augmentations on the test split is what records made before these settings existed hold, unmarked.
  const mocoSettings = {
    ...(bankSize === undefined ? {} : { bankSize }),
    ...(encoder === 'mlp' ? {} : { encoder }),
    ...(augment === 'mild' ? {} : { augment }),
    ...(evalSplit === 'test' ? {} : { evalSplit }),
  };
  const mismatch = share(values.mismatch, 'mismatch', 0.2);
  const duplicates = share(values.duplicates, 'duplicates', 0.2);
  if (mismatch + duplicates > 0.9) throw new RangeError(`--mismatch + --duplicates must be at most 0.9, got ${mismatch} + ${duplicates}`);
  const copies = parsePositive(values.copies, 'copies') ?? 4;
  const appDir = resolve(import.meta.dirname, '..');
  const dataDir = resolve(values['data-dir'] ?? fashionMnistDir());
  const out = resolve(values.out ?? join(appDir, 'runs', values.profile));
  const progress = values['no-progress'] ? false : 'auto';

  const t0 = performance.now();
  const dataset = loadDataset(dataDir);
  const prefer = parseBackend(values.backend);
  const choice = await selectBackend(prefer === undefined ? {} : { prefer });
  const backend = choice.name;
  logSetting(choice, dataDir, dataset);

  const configs: RunConfig[] = [];
  const trainSize = Math.min(profile.trainSize, dataset.train.count);
  const testSize = Math.min(profile.testSize, dataset.test.count);
  const evalSize = Math.min(profile.evalSize, profile.testSize, dataset.test.count);
  if (profile.budgets !== undefined) {
    const arms = EVIDENCE_ARMS.filter((a) => profile.strategies.includes(a));
    configs.push(
      ...evidenceConfigs({ ...profile, trainSize, testSize, evalSize, mismatch, duplicates, copies, budgets: profile.budgets, arms })
        .filter((c) => c.style !== 'moco' || c.strategy === 'full' || (profile.moco?.arms?.includes(c.strategy) ?? true))
        .map((c) => (c.style === 'moco' ? { ...c, ...mocoSettings } : c)),
    );
  }
  for (const style of profile.budgets === undefined ? profile.styles : []) {
    for (const seed of profile.seeds) {
      for (const strategy of profile.strategies) {
        configs.push({
          style,
          strategy,
          strategyOptions: strategyOptions(style, strategy),
          seed,
          epochs: profile.epochs,
          batchSize: profile.batchSize,
          learningRate: profile.learningRate[style],
          trainSize,
          testSize,
          evalSize,
          mismatch,
          duplicates,
          copies,
          holdOutPairs: true,
          ...(style === 'moco' ? mocoSettings : {}),
          // A run that chooses settings carries its own reference lines, measured on the same validation images.
          ...(style === 'moco' && evalSplit === 'validation' && strategy === 'full' ? { rawPixelReferences: true } : {}),
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
      const done = JSON.parse(readFileSync(file, 'utf8')) as RunRecord;
      const { strategyOptions: _a, ...want } = config;
      const { strategyOptions: _b, ...have } = done.config;
      if (JSON.stringify(want) !== JSON.stringify(have)) {
        throw new Error(`${file} was made with other settings (${JSON.stringify(have)}); use another --out or delete it`);
      }
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
      // The evidence summaries read the full evaluations only; MoCo-style, the per-epoch k-NN would cost almost half the training.
      epochMetric: !(profile.budgets !== undefined && config.style === 'moco'),
      onEpoch: (e) => {
        if (progress === false || !process.stderr.isTTY) {
          console.log(
            `  epoch ${e.epoch}: ${e.phase}, visited ${e.visited}, pruned ${e.pruned} (ill-matched ${e.prunedMismatched}, duplicates ${e.prunedDuplicate}), loss ${e.trainLoss.toFixed(4)}, ${config.style === 'clip' ? 'prompt classification' : 'k-NN'} ${Number.isNaN(e.metric) ? '–' : pct(e.metric)}, ${(e.wallTimeMs / 1000).toFixed(1)} s`,
          );
        }
      },
    });
    writeFileAtomic(file, JSON.stringify(record, null, 1) + '\n');
    rmSync(checkpointDir, { recursive: true, force: true });
    const finals = Object.entries(record.final).map(([k, v]) => `${k} ${pct(v)}`).join(', ');
    console.log(`  → ${finals}; saved ${pct(record.savedRatio)} of visits; ${(record.trainTimeMs / 1000).toFixed(1)} s training`);
  }
  rmSync(join(out, 'checkpoints'), { recursive: true, force: true });

  const command = commandLine('contrastive', argv);
  const notes = readNotes(values.notes);
  if (profile.budgets !== undefined) {
    const wanted = new Set(configs.map(runId));
    const records = readRecords(out).filter((r) => wanted.has(runId(r.config)));
    const summary = evidenceSummary(records, { command, commit: gitCommit(), horizon: profile.epochs });
    writeFileAtomic(join(out, 'summary.json'), JSON.stringify(summary, null, 1) + '\n');
    const report = evidenceReport(summary, {
      title: EVIDENCE_TITLE,
      machine: machineDescription(backend),
      ...(notes === undefined ? {} : { notes }),
    });
    writeFileAtomic(join(out, 'report.md'), report);
    console.log(`\n${reportTables(report).slice(0, 24).join('\n')}`);
    console.log(`\nreport: ${join(out, 'report.md')}\nsummary: ${join(out, 'summary.json')}\ndone in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    return 0;
  }
  const records = readRecords(out);
  const report = markdownReport(records, {
    title: 'Contrastive pre-training on Fashion-MNIST: pruning strategies and corrupted pairs',
    command,
    ...(notes === undefined ? {} : { notes }),
  });
  await writeReport(out, report, () => writePlots(records, join(out, 'plots')), t0);
  return 0;
}

runIfMain(import.meta.url, main);
