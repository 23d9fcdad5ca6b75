// Canvas drawings of the demo: the data with the model's decision regions,
// the latest losses with what the pruner kept, and the per-epoch history of
// the pruned run beside the full one.
import type { Points } from './data';
import type { EpochView } from './run';

export const CLASS_COLORS = ['#e4572e', '#1b998b', '#3f63c8'];
/** The class colours at 16 % over white, opaque, so that neighbouring cells do not darken their shared edge. */
const CLASS_TINTS = CLASS_COLORS.map((hex) => {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).map((v) => Math.round(255 - 0.16 * (255 - v)));
  return `rgb(${r},${g},${b})`;
});
export const GROUP_COLORS = ['#2a9d8f', '#8ab17d', '#e9c46a', '#f4a261', '#e76f51', '#b5179e', '#7209b7', '#3a0ca3', '#4361ee', '#4cc9f0'];
/** The loss histogram's colour for strategies without loss groups. */
export const LOSS_COLOR = '#6d7fcc';
export const HISTORY_COLORS = { visited: '#a8dadc', anneal: '#c9c9c9', flipped: '#5e548e', saved: '#e76f51', pruned: '#264653', full: '#8d99ae' };

/**
 * The canvas's 2-D context with its backing store at the device's pixel
 * size, scaled so that drawing is in CSS pixels: a backing store of the
 * attribute size stretched by CSS would blur and squash the text, most on
 * phones (device pixel ratio 2–3).
 */
export function context(canvas: HTMLCanvasElement): { ctx: CanvasRenderingContext2D; w: number; h: number } {
  const ratio = window.devicePixelRatio || 1;
  const w = canvas.clientWidth;
  const h = canvas.clientHeight;
  if (canvas.width !== Math.round(w * ratio)) canvas.width = Math.round(w * ratio);
  if (canvas.height !== Math.round(h * ratio)) canvas.height = Math.round(h * ratio);
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, w, h);
  return { ctx, w, h };
}

/** The points (filled: visited this epoch; hollow: pruned) over the predicted class regions. */
export function drawPoints(canvas: HTMLCanvasElement, data: Points, view: EpochView | null, grid: Int32Array | null, cells: number): void {
  const { ctx, w, h } = context(canvas);
  const size = Math.min(w, h);
  const px = (x: number) => ((x + 1.1) / 2.2) * size;
  const py = (y: number) => ((1.1 - y) / 2.2) * size;
  if (grid) {
    const c = size / cells;
    for (let j = 0; j < cells; j++)
      for (let i = 0; i < cells; i++) {
        ctx.fillStyle = CLASS_TINTS[grid[j * cells + i]!]!;
        ctx.fillRect(i * c, j * c, c + 0.5, c + 0.5);
      }
  }
  // Small canvases (phones) get smaller points, so the arms stay apart.
  const r = size < 260 ? 1.8 : 2.6;
  for (let i = 0; i < data.size; i++) {
    const x = px(data.xy[2 * i]!);
    const y = py(data.xy[2 * i + 1]!);
    const color = CLASS_COLORS[data.labels[i]!]!;
    const visited = view === null || view.visitedMask[i] === 1;
    ctx.beginPath();
    ctx.arc(x, y, visited ? r : r * 0.85, 0, 2 * Math.PI);
    if (visited) {
      ctx.fillStyle = color;
      ctx.fill();
    } else {
      ctx.strokeStyle = color;
      ctx.globalAlpha = 0.45;
      ctx.lineWidth = 1;
      ctx.stroke();
      ctx.globalAlpha = 1;
    }
  }
}

/** What the loss panel marks besides the histogram. */
export interface LossMarks {
  /** SeTa's group count; undefined: one colour, no groups. */
  readonly groups?: number;
  /** Mark the mean of the latest losses (InfoBatch thins the samples below it). */
  readonly mean?: boolean;
}

/**
 * A histogram of the latest losses on a log axis, stacked by loss group; the
 * part of each bin visited this epoch is solid, the pruned part pale. SeTa's
 * window is bracketed over its groups; InfoBatch's mean is a dashed line.
 */
export function drawLosses(canvas: HTMLCanvasElement, view: EpochView | null, marks: LossMarks): void {
  const { ctx, w, h } = context(canvas);
  const m = { l: 8, r: 8, t: 26, b: 30 };
  const groups = marks.groups ?? 1;
  const seen: number[] = [];
  view?.scores.forEach((s, i) => { if (!Number.isNaN(s)) seen.push(i); });
  ctx.font = '12px system-ui, sans-serif';
  ctx.fillStyle = '#555';
  if (view === null || seen.length === 0) {
    ctx.fillText('No losses yet: the first epoch visits every point.', m.l, h / 2);
    return;
  }
  const logs = seen.map((i) => Math.log10(Math.max(view.scores[i]!, 1e-6)));
  const lo = Math.min(...logs);
  const hi = Math.max(...logs) + 1e-9;
  const bins = Math.max(24, Math.min(64, Math.floor((w - m.l - m.r) / 8)));
  const counts = Array.from({ length: bins }, () => ({ total: new Array<number>(groups).fill(0), visited: new Array<number>(groups).fill(0) }));
  seen.forEach((id, j) => {
    const b = Math.min(bins - 1, Math.floor(((logs[j]! - lo) / (hi - lo)) * bins));
    const g = Math.min(groups - 1, Math.max(0, view.group[id]!));
    counts[b]!.total[g]!++;
    if (view.visitedMask[id]) counts[b]!.visited[g]!++;
  });
  const maxCount = Math.max(...counts.map((c) => c.total.reduce((a, b) => a + b, 0)));
  const bw = (w - m.l - m.r) / bins;
  const sy = (h - m.t - m.b) / maxCount;
  counts.forEach((c, b) => {
    let y = h - m.b;
    for (let g = 0; g < groups; g++) {
      const total = c.total[g]!;
      if (total === 0) continue;
      const visited = c.visited[g]!;
      ctx.fillStyle = marks.groups === undefined ? LOSS_COLOR : GROUP_COLORS[g % GROUP_COLORS.length]!;
      ctx.globalAlpha = 0.28;
      ctx.fillRect(m.l + b * bw + 0.5, y - total * sy, bw - 1, total * sy);
      ctx.globalAlpha = 1;
      ctx.fillRect(m.l + b * bw + 0.5, y - visited * sy, bw - 1, visited * sy);
      y -= total * sy;
    }
  });
  const xOf = (loss: number) => m.l + ((Math.log10(Math.max(loss, 1e-6)) - lo) / (hi - lo)) * (w - m.l - m.r);
  ctx.fillStyle = '#555';
  ctx.fillText(`loss ${(10 ** lo).toPrecision(2)}`, m.l, h - 10);
  const right = `${(10 ** hi).toPrecision(2)}`;
  ctx.fillText(right, w - m.r - ctx.measureText(right).width, h - 10);
  ctx.fillStyle = '#222';
  if (marks.groups !== undefined && view.window && view.bounds.length === groups - 1) {
    const edge = (g: number) => (g <= 0 ? m.l : g >= groups ? w - m.r : xOf(view.bounds[g - 1]!));
    const x0 = edge(view.window.start);
    const x1 = edge(view.window.end);
    ctx.strokeStyle = '#222';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x0, m.t - 4);
    ctx.lineTo(x0, m.t - 12);
    ctx.lineTo(x1, m.t - 12);
    ctx.lineTo(x1, m.t - 4);
    ctx.stroke();
    const label = view.window.start === 0 && view.window.end === groups ? 'window: every group (first step)' : `window: groups ${view.window.start}–${view.window.end - 1} of 0–${groups - 1}`;
    ctx.fillText(label, Math.min(Math.max(m.l, x0), w - m.r - ctx.measureText(label).width), m.t - 15);
  } else if (marks.mean && view.phase === 'prune') {
    const mean = seen.reduce((s, i) => s + view.scores[i]!, 0) / seen.length;
    const x = xOf(mean);
    ctx.strokeStyle = '#222';
    ctx.lineWidth = 1.5;
    ctx.setLineDash([4, 3]);
    ctx.beginPath();
    ctx.moveTo(x, m.t - 8);
    ctx.lineTo(x, h - m.b);
    ctx.stroke();
    ctx.setLineDash([]);
    const label = '← thinned | mean loss | all kept →';
    ctx.fillText(label, Math.min(Math.max(m.l, x - ctx.measureText(label).width / 2), w - m.r - ctx.measureText(label).width), m.t - 12);
  } else if (view.phase === 'anneal') {
    ctx.fillText('annealing: no pruning by loss', m.l, m.t - 12);
  } else if (view.phase === 'warmup') {
    ctx.fillText('warm-up: every point', m.l, m.t - 12);
  }
}

/**
 * Per epoch of the pruned run: the share of points it visited (bars; the
 * dark part the visited points whose label is flipped), its saved ratio so
 * far, and the test accuracy of both runs (lines).
 */
export function drawHistory(canvas: HTMLCanvasElement, pruned: readonly EpochView[], fullRun: readonly EpochView[], epochs: number): void {
  const { ctx, w, h } = context(canvas);
  const m = { l: 36, r: 10, t: 10, b: 22 };
  const pw = w - m.l - m.r;
  const ph = h - m.t - m.b;
  const x = (e: number) => m.l + ((e + 0.5) / epochs) * pw;
  const y = (v: number) => m.t + (1 - v) * ph;
  ctx.font = '11px system-ui, sans-serif';
  ctx.strokeStyle = '#ddd';
  ctx.lineWidth = 1;
  ctx.fillStyle = '#555';
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    ctx.beginPath();
    ctx.moveTo(m.l, y(v));
    ctx.lineTo(w - m.r, y(v));
    ctx.stroke();
    ctx.fillText(`${v * 100} %`, 2, y(v) + 4);
  }
  ctx.fillText(`epoch 1 → ${epochs}`, w - m.r - ctx.measureText(`epoch 1 → ${epochs}`).width, h - 6);
  const bw = Math.max(1, (pw / epochs) * 0.7);
  for (const v of pruned) {
    const n = v.visitedMask.length;
    const frac = v.summary.visited / n;
    const flipped = v.visitedFlipped / n;
    ctx.fillStyle = v.phase === 'anneal' ? HISTORY_COLORS.anneal : HISTORY_COLORS.visited;
    ctx.fillRect(x(v.epoch) - bw / 2, y(frac), bw, y(0) - y(frac));
    ctx.fillStyle = HISTORY_COLORS.flipped;
    ctx.fillRect(x(v.epoch) - bw / 2, y(flipped), bw, y(0) - y(flipped));
  }
  const line = (values: number[], color: string, dash: number[] = []) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.setLineDash(dash);
    ctx.beginPath();
    values.forEach((v, i) => (i ? ctx.lineTo(x(i), y(v)) : ctx.moveTo(x(i), y(v))));
    ctx.stroke();
    ctx.setLineDash([]);
  };
  line(fullRun.map((v) => v.testAccuracy), HISTORY_COLORS.full, [5, 3]);
  line(pruned.map((v) => v.summary.savedRatioSoFar), HISTORY_COLORS.saved);
  line(pruned.map((v) => v.testAccuracy), HISTORY_COLORS.pruned);
}
