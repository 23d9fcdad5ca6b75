/**
 * Screenshot comparison against small committed baselines, done in the
 * browser the test already drives (its PNG decoder and canvas scaling), so
 * the test needs no image library.
 *
 * Both images are scaled down to the baseline's size before comparing: a
 * baseline pixel covers several screen pixels, so font antialiasing and
 * sub-pixel text placement average out, while a moved block, a missing
 * chart or a changed colour does not. Channels are then rounded to 16
 * levels, which keeps the committed baselines small. A pixel differs when a channel differs
 * by more than `THRESHOLD`; the shot fails when more than `TOLERANCE` of the
 * pixels differ, or when the scaled size differs (the layout changed height).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Largest channel difference (0–255) of two scaled pixels still counted equal. */
export const THRESHOLD = 48;
/** Largest share of differing scaled pixels a shot may have. */
export const TOLERANCE = 0.02;

/**
 * Scales a PNG (base64) to `width` pixels wide (the height in proportion),
 * and, with a baseline (base64), counts the differing pixels and draws them
 * in red. Runs in the page.
 */
const inPage = async ({ png, width, baseline, threshold }) => {
  const bitmap = async (b64) => createImageBitmap(await (await fetch(`data:image/png;base64,${b64}`)).blob());
  const toBase64 = async (canvas) => {
    const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
    let s = '';
    for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(s);
  };
  const shot = await bitmap(png);
  // Halve repeatedly, then scale the rest of the way: one big step would sample instead of average.
  let source = shot;
  let w = shot.width;
  let h = shot.height;
  const targetW = width;
  const targetH = Math.max(1, Math.round((shot.height * width) / shot.width));
  while (w / 2 >= targetW) {
    const c = new OffscreenCanvas(Math.round(w / 2), Math.round(h / 2));
    const x = c.getContext('2d');
    x.imageSmoothingQuality = 'high';
    x.drawImage(source, 0, 0, c.width, c.height);
    source = c;
    w = c.width;
    h = c.height;
  }
  const scaled = new OffscreenCanvas(targetW, targetH);
  const sx = scaled.getContext('2d');
  sx.imageSmoothingQuality = 'high';
  sx.drawImage(source, 0, 0, targetW, targetH);
  // 16 levels a channel: far below the threshold, and it keeps the committed PNGs small.
  const q = sx.getImageData(0, 0, targetW, targetH);
  for (let i = 0; i < q.data.length; i++) if (i % 4 !== 3) q.data[i] = Math.round(q.data[i] / 17) * 17;
  sx.putImageData(q, 0, 0);
  const result = { width: targetW, height: targetH, scaled: await toBase64(scaled) };
  if (!baseline) return result;
  const base = await bitmap(baseline);
  result.baseWidth = base.width;
  result.baseHeight = base.height;
  if (base.width !== targetW || base.height !== targetH) return result;
  const bc = new OffscreenCanvas(base.width, base.height);
  const bx = bc.getContext('2d');
  bx.drawImage(base, 0, 0);
  const a = sx.getImageData(0, 0, targetW, targetH);
  const b = bx.getImageData(0, 0, targetW, targetH).data;
  const diff = new OffscreenCanvas(targetW, targetH);
  const dx = diff.getContext('2d');
  dx.globalAlpha = 0.35;
  dx.drawImage(scaled, 0, 0);
  dx.globalAlpha = 1;
  dx.fillStyle = '#f00';
  let differing = 0;
  for (let i = 0; i < a.data.length; i += 4) {
    const d = Math.max(Math.abs(a.data[i] - b[i]), Math.abs(a.data[i + 1] - b[i + 1]), Math.abs(a.data[i + 2] - b[i + 2]));
    if (d > threshold) {
      differing++;
      const p = i / 4;
      dx.fillRect(p % targetW, Math.floor(p / targetW), 1, 1);
    }
  }
  result.differing = differing / (targetW * targetH);
  result.diff = await toBase64(diff);
  return result;
};

/**
 * Compares `png` (a Buffer) with the baseline at `baselinePath`, scaled to
 * `width` pixels wide; with `update`, writes the scaled shot as the new
 * baseline instead. Writes `diffPath` (differing pixels in red) on a
 * mismatch.
 *
 * @param page - any open page of the browser, used for its decoder and canvas.
 * @param tolerance - the largest share of differing pixels that passes (`TOLERANCE` by default).
 * @returns `{ ok, message }`.
 */
export async function compareShot(page, png, { width, baselinePath, diffPath, update, tolerance = TOLERANCE }) {
  const baseline = !update && existsSync(baselinePath) ? readFileSync(baselinePath).toString('base64') : null;
  const r = await page.evaluate(inPage, { png: png.toString('base64'), width, baseline, threshold: THRESHOLD });
  if (update) {
    mkdirSync(dirname(baselinePath), { recursive: true });
    writeFileSync(baselinePath, Buffer.from(r.scaled, 'base64'));
    return { ok: true, message: `baseline written: ${baselinePath} (${r.width}×${r.height})` };
  }
  if (!baseline) return { ok: false, message: `no baseline ${baselinePath}; write one with \`node tests/site.mjs --update-baselines\`` };
  if (r.baseWidth !== r.width || r.baseHeight !== r.height) {
    mkdirSync(dirname(diffPath), { recursive: true });
    writeFileSync(diffPath, Buffer.from(r.scaled, 'base64'));
    return { ok: false, message: `scaled size ${r.width}×${r.height} differs from the baseline's ${r.baseWidth}×${r.baseHeight} (the layout changed; the new shot is ${diffPath})` };
  }
  const ok = r.differing <= tolerance;
  if (!ok) {
    mkdirSync(dirname(diffPath), { recursive: true });
    writeFileSync(diffPath, Buffer.from(r.diff, 'base64'));
  }
  return {
    ok,
    message: `${(r.differing * 100).toFixed(2)} % of pixels differ from the baseline (at most ${tolerance * 100} %)${ok ? '' : `; differences in red: ${diffPath}`}`,
  };
}
