/**
 * Captions of the committed result plots, by file name. The results page and
 * the reports both show the plots, and a file name ("mlp epoch curves L1")
 * tells a reader neither the axes nor how to read them; one table keeps the
 * two places saying the same thing.
 */

interface CaptionRule {
  /** Matches the plot's file name without its extension. */
  pattern: RegExp;
  caption: (m: RegExpMatchArray) => string;
}

const noise = (suffix: string | undefined) => (suffix ? ' With 20 % of the training labels flipped at random.' : '');

const rules: CaptionRule[] = [
  {
    pattern: /^accuracy-vs-visits(-noise[\d.]+)?$/,
    caption: (m) =>
      `Test accuracy against sample visits (share of full data over the horizon), mean over seeds, after each epoch. Black dots: full data trained on a shorter cosine schedule at each budget; a method's curve above the dots reached that accuracy with fewer visits than training for less time.${noise(m[1])}`,
  },
  {
    pattern: /^accuracy-vs-cpu(-noise[\d.]+)?$/,
    caption: (m) =>
      `The same runs against the training process's CPU time (seconds) instead of visits: what a visit saved is worth once the pruner's own work is counted.${noise(m[1])}`,
  },
  {
    pattern: /^(\w+)-accuracy-vs-pruned$/,
    caption: () =>
      'Final test accuracy against the share of sample visits each strategy saved, at its pruning levels L1–L3 (mean over seeds; bars: ± one standard deviation). Dashed line: full data.',
  },
  {
    pattern: /^(\w+)-epoch-curves-(L\d)$/,
    caption: (m) =>
      `Every strategy at pruning level ${m[2]}, epoch by epoch (mean over seeds): training loss per sample, test accuracy, and the share of sample visits saved so far.`,
  },
  {
    pattern: /^(clip|moco)-epochs$/,
    caption: (m) =>
      `${m[1] === 'clip' ? 'CLIP-style' : 'MoCo-style'} pre-training, epoch by epoch (mean over seeds): the evaluation metric (${m[1] === 'clip' ? 'prompt classification' : 'k-NN accuracy'}), the training loss and the share of the data each strategy pruned.`,
  },
  {
    pattern: /^(clip|moco)-pruned$/,
    caption: (m) =>
      `${m[1] === 'clip' ? 'CLIP-style' : 'MoCo-style'}: what each strategy pruned, epoch by epoch — the share of ill-matched pairs (left) and of near-duplicates (right) among the pruned samples. Dashed: their share in the data; a strategy above it singles them out.`,
  },
];

/** The caption of a plot file (`plots/mlp-epoch-curves-L1.png` or its bare name); the name made readable if no rule knows it. */
export function plotCaption(file: string): string {
  const stem = file.replace(/^.*\//, '').replace(/\.(png|svg)$/, '');
  for (const rule of rules) {
    const m = stem.match(rule.pattern);
    if (m) return rule.caption(m);
  }
  return stem.replace(/-/g, ' ');
}
