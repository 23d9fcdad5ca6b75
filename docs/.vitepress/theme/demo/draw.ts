// Canvas drawings of the demo: the data with the model's decision regions,
// the loss groups with SeTa's window, and the per-epoch history.
import type { Points } from './data';
import type { EpochView } from './run';

export const CLASS_COLORS = ['#e4572e', '#1b998b', '#3f63c8'];
const CLASS_TINTS = ['rgba(228,87,46,0.16)', 'rgba(27,153,139,0.16)', 'rgba(63,99,200,0.16)'];
export const GROUP_COLORS = ['#2a9d8f', '#8ab17d', '#e9c46a', '#f4a261', '#e76f51', '#b5179e', '#7209b7', '#3a0ca3', '#4361ee', '#4cc9f0'];

/** A canvas sized for the device's pixel ratio, with a 2-D context scaled to CSS pixels. */
export function context(canvas: HTMLCanvasElement): { ctx: CanvasRenderingContext2D; w: number; h: number } {
  const ratio = window.devicePixelRatio || 1;
  const w = canvas.clientWidth || canvas.width;
  const h = canvas.clientHeight || canvas.height;
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
  for (let i = 0; i < data.size; i++) {
    const x = px(data.xy[2 * i]!);
    const y = py(data.xy[2 * i + 1]!);
    const color = CLASS_COLORS[data.labels[i]!]!;
    const visited = view === null || view.visitedMask[i] === 1;
    ctx.beginPath();
    ctx.arc(x, y, visited ? 2.6 : 2.2, 0, 2 * Math.PI);
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

/**
 * A histogram of the scores on a log axis, stacked by loss group; the part of
 * each bin visited this epoch is solid, the pruned part pale; the window's
 * groups are bracketed.
 */
export function drawGroups(canvas: HTMLCanvasElement, view: EpochView, groups: number): void {
  const { ctx, w, h } = context(canvas);
  const m = { l: 8, r: 8, t: 26, b: 30 };
  const seen: number[] = [];
  view.scores.forEach((s, i) => { if (!Number.isNaN(s)) seen.push(i); });
  ctx.font = '12px system-ui, sans-serif';
  ctx.fillStyle = '#666';
  if (seen.length === 0) {
    ctx.fillText('No losses observed yet: the first epoch visits the random sample whole.', m.l, h / 2);
    return;
  }
  const logs = seen.map((i) => Math.log10(Math.max(view.scores[i]!, 1e-6)));
  const lo = Math.min(...logs);
  const hi = Math.max(...logs) + 1e-9;
  const bins = 48;
  const counts = Array.from({ length: bins }, () => ({ total: new Array<number>(groups).fill(0), visited: new Array<number>(groups).fill(0) }));
  seen.forEach((id, j) => {
    const b = Math.min(bins - 1, Math.floor(((logs[j]! - lo) / (hi - lo)) * bins));
    const g = Math.max(0, view.group[id]!);
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
      ctx.fillStyle = GROUP_COLORS[g % GROUP_COLORS.length]!;
      ctx.globalAlpha = 0.28;
      ctx.fillRect(m.l + b * bw + 0.5, y - total * sy, bw - 1, total * sy);
      ctx.globalAlpha = 1;
      ctx.fillRect(m.l + b * bw + 0.5, y - visited * sy, bw - 1, visited * sy);
      y -= total * sy;
    }
  });
  // Axis: loss on a log scale.
  ctx.fillStyle = '#666';
  ctx.fillText(`loss ${(10 ** lo).toPrecision(2)}`, m.l, h - 10);
  const right = `${(10 ** hi).toPrecision(2)}`;
  ctx.fillText(right, w - m.r - ctx.measureText(right).width, h - 10);
  // Window bracket over the groups it keeps, from the k-means bounds.
  if (view.window && view.bounds.length === groups - 1) {
    const edge = (g: number) => {
      if (g <= 0) return m.l;
      if (g >= groups) return w - m.r;
      const v = Math.log10(Math.max(view.bounds[g - 1]!, 1e-6));
      return m.l + ((v - lo) / (hi - lo)) * (w - m.l - m.r);
    };
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
    ctx.fillStyle = '#222';
    const label = view.window.start === 0 && view.window.end === groups ? 'window: every group (first step)' : `window: groups ${view.window.start}–${view.window.end - 1} of 0–${groups - 1}`;
    ctx.fillText(label, Math.min(Math.max(m.l, x0), w - m.r - ctx.measureText(label).width), m.t - 15);
  } else if (view.phase === 'anneal') {
    ctx.fillStyle = '#222';
    ctx.fillText('partial annealing: a fresh random 90 %, no window', m.l, m.t - 15);
  }
}

/** Per epoch: the share visited (bars), the saved ratio so far and the test accuracy (lines). */
export function drawHistory(canvas: HTMLCanvasElement, history: readonly EpochView[], epochs: number): void {
  const { ctx, w, h } = context(canvas);
  const m = { l: 34, r: 10, t: 10, b: 22 };
  const pw = w - m.l - m.r;
  const ph = h - m.t - m.b;
  const x = (e: number) => m.l + ((e + 0.5) / epochs) * pw;
  const y = (v: number) => m.t + (1 - v) * ph;
  ctx.font = '11px system-ui, sans-serif';
  ctx.strokeStyle = '#ddd';
  ctx.fillStyle = '#777';
  for (const v of [0, 0.25, 0.5, 0.75, 1]) {
    ctx.beginPath();
    ctx.moveTo(m.l, y(v));
    ctx.lineTo(w - m.r, y(v));
    ctx.stroke();
    ctx.fillText(`${v * 100}%`, 2, y(v) + 4);
  }
  ctx.fillText('epoch', w - m.r - 32, h - 6);
  const bw = (pw / epochs) * 0.7;
  for (const v of history) {
    ctx.fillStyle = v.phase === 'anneal' ? '#c9c9c9' : '#a8dadc';
    const frac = v.summary.visited / v.visitedMask.length;
    ctx.fillRect(x(v.epoch) - bw / 2, y(frac), bw, y(0) - y(frac));
  }
  const line = (values: number[], color: string) => {
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    values.forEach((v, i) => (i ? ctx.lineTo(x(i), y(v)) : ctx.moveTo(x(i), y(v))));
    ctx.stroke();
  };
  line(history.map((v) => v.summary.savedRatioSoFar), '#e76f51');
  line(history.map((v) => v.testAccuracy), '#264653');
}
