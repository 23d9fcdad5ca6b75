import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DatasetError, decodeIdx, fashionMnistDir, loadDataset, loadSplit } from './idx.js';

function idx(dims: number[], data: Uint8Array | number[], type = 0x08): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  header[2] = type;
  header[3] = dims.length;
  const view = new DataView(header.buffer);
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(header.length + data.length);
  out.set(header);
  out.set(data, header.length);
  return out;
}

const dirs: string[] = [];
function folder(files: Record<string, Uint8Array>): string {
  const dir = mkdtempSync(join(tmpdir(), 'idx-'));
  dirs.push(dir);
  for (const [name, bytes] of Object.entries(files)) writeFileSync(join(dir, name), bytes);
  return dir;
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const pixels = (n: number) => Uint8Array.from({ length: n * 4 }, (_, i) => i % 256);
const split = (prefix: string, n: number, gz = true) => {
  const z = (b: Uint8Array) => (gz ? gzipSync(b) : b);
  const ext = gz ? '.gz' : '';
  return {
    [`${prefix}-images-idx3-ubyte${ext}`]: z(idx([n, 2, 2], pixels(n))),
    [`${prefix}-labels-idx1-ubyte${ext}`]: z(idx([n], Uint8Array.from({ length: n }, (_, i) => i % 10))),
  };
};

/**
 * A gzip bomb: a valid IDX header declaring `dims`, then `mib` MiB of zeros,
 * as that many gzip members of 1 MiB each (about 1 KB compressed apiece:
 * 512 MiB inflate from ~0.5 MB).
 */
function bomb(dims: number[], mib: number): Uint8Array {
  const first = new Uint8Array(1 << 20);
  first.set(idx(dims, []));
  const zeros = gzipSync(new Uint8Array(1 << 20), { level: 9 });
  return Buffer.concat([gzipSync(first, { level: 9 }), ...Array.from({ length: mib - 1 }, () => zeros)]);
}

/** Peak resident memory of this process so far, MiB (never decreases). */
const peakMiB = () => process.resourceUsage().maxRSS / 1024;

describe('decodeIdx against a gzip bomb', () => {
  // First in the file, so that the process's peak memory has not yet been set by a larger load.
  it('stops inflating at the size the header declares: a 512 MiB bomb declared as 10 labels costs no memory', () => {
    const bytes = bomb([10], 512);
    expect(bytes.length).toBeLessThan(1 << 20);
    const before = peakMiB();
    const t0 = performance.now();
    expect(() => decodeIdx(bytes, 'bomb.gz', 1)).toThrow(
      new DatasetError('bomb.gz: inflates to more than the 18 bytes its header declares (8 bytes of header, 10 of data: 10); stopped inflating there'),
    );
    // Inflating it all takes ~1 GB and seconds; stopping at the declared size, a few KB and milliseconds.
    expect(peakMiB() - before).toBeLessThan(64);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('refuses a file whose header declares more data than it can hold', () => {
    const big = idx([65536, 65536, 65536], []);
    expect(() => decodeIdx(gzipSync(big), 'huge.gz', 3)).toThrow(/huge\.gz: declares 281474976710656 bytes of data \(65536 × 65536 × 65536\), more than the 2147483647 this loader handles/);
  });
});

describe('decodeIdx', () => {
  it('decodes raw and gzip’d files', () => {
    const raw = idx([3, 2, 2], pixels(3));
    for (const bytes of [raw, gzipSync(raw)]) {
      const t = decodeIdx(bytes, 'f', 3);
      expect(t.dims).toEqual([3, 2, 2]);
      expect([...t.data.subarray(0, 5)]).toEqual([0, 1, 2, 3, 4]);
      expect(t.data.length).toBe(12);
    }
  });

  it('rejects a wrong magic number, type or rank', () => {
    const bad = idx([2], [1, 2]);
    bad[0] = 1;
    expect(() => decodeIdx(bad, 'x.idx', 1)).toThrow(new DatasetError('x.idx: not an IDX file (its magic number should start with two zero bytes)'));
    expect(() => decodeIdx(idx([2], [1, 2], 0x0d), 'x.idx', 1)).toThrow(/IDX type 0x0d is not supported/);
    expect(() => decodeIdx(idx([2, 1], [1, 2]), 'labels.idx', 1)).toThrow('labels.idx: has 2 dimensions, expected 1');
    expect(() => decodeIdx(new Uint8Array(3), 'tiny', 1)).toThrow(/too short/);
  });

  it('rejects truncated data and trailing bytes', () => {
    const full = idx([4], [1, 2, 3, 4]);
    expect(() => decodeIdx(full.subarray(0, full.length - 1), 'l.idx', 1)).toThrow(
      'l.idx: truncated: the header promises 4 bytes of data (4), the file holds 3',
    );
    expect(() => decodeIdx(full.subarray(0, 6), 'l.idx', 1)).toThrow(/truncated in its header/);
    const longer = new Uint8Array(full.length + 2);
    longer.set(full);
    expect(() => decodeIdx(longer, 'l.idx', 1)).toThrow(/2 unexpected bytes/);
  });

  it('checks the dimensions the caller expects, before inflating the data', () => {
    const raw = idx([3, 3, 3], new Uint8Array(27));
    expect(() => decodeIdx(gzipSync(raw), 'img.gz', 3, [undefined, 2, 2])).toThrow(
      new DatasetError('img.gz: has dimensions 3 × 3 × 3, expected ? × 2 × 2'),
    );
    expect(decodeIdx(raw, 'img', 3, [3, 3, 3]).dims).toEqual([3, 3, 3]);
  });

  it('rejects a corrupt or truncated gzip stream', () => {
    const gz = gzipSync(idx([100], new Uint8Array(100)));
    expect(() => decodeIdx(gz.subarray(0, gz.length - 10), 'l.gz', 1)).toThrow(/l.gz: not a valid gzip file/);
    const corrupt = gz.slice();
    corrupt[20] = corrupt[20]! ^ 0xff;
    expect(() => decodeIdx(corrupt, 'l.gz', 1)).toThrow(DatasetError);
  });
});

describe('loadSplit / loadDataset', () => {
  it('loads a directory of MNIST-format files, gzip’d or not', () => {
    const dir = folder({ ...split('train', 6), ...split('t10k', 3, false) });
    const { train, test } = loadDataset(dir);
    expect([train.count, train.rows, train.cols, test.count]).toEqual([6, 2, 2, 3]);
    expect([...train.labels]).toEqual([0, 1, 2, 3, 4, 5]);
    expect(train.images.length).toBe(24);
  });

  it('rejects images and labels that do not pair up, labels out of range and missing files', () => {
    const mismatched = folder({
      'train-images-idx3-ubyte': idx([5, 2, 2], pixels(5)),
      'train-labels-idx1-ubyte': idx([4], [0, 1, 2, 3]),
    });
    expect(() => loadSplit(mismatched, 'train')).toThrow(/holds 4 labels but .* holds 5 images/);
    const badLabel = folder({
      'train-images-idx3-ubyte': idx([2, 2, 2], pixels(2)),
      'train-labels-idx1-ubyte': idx([2], [3, 12]),
    });
    expect(() => loadSplit(badLabel, 'train')).toThrow(/label 1 is 12, expected a class in 0 … 9/);
    expect(() => loadSplit(folder({}), 'train')).toThrow(/missing train-images-idx3-ubyte.gz/);
  });

  it('names the path of a directory where a file should be', () => {
    const dir = folder(split('train', 2));
    rmSync(join(dir, 'train-labels-idx1-ubyte.gz'));
    mkdirSync(join(dir, 'train-labels-idx1-ubyte.gz'));
    expect(() => loadSplit(dir, 'train')).toThrow(
      new DatasetError(`${join(dir, 'train-labels-idx1-ubyte.gz')}: is a directory, expected an IDX file (raw or gzip'd)`),
    );
  });

  it('refuses a raw file longer than its header declares without reading it, and a gzip file too long for its declared data', () => {
    const dir = folder(split('train', 2, false));
    const labels = join(dir, 'train-labels-idx1-ubyte');
    writeFileSync(labels, Buffer.concat([idx([2], [0, 1]), new Uint8Array(1000)]));
    expect(() => loadSplit(dir, 'train')).toThrow(
      new DatasetError(`${labels}: 1000 unexpected bytes after the 2 bytes of data the header describes (2)`),
    );
    const gz = folder(split('train', 2));
    const noisy = new Uint8Array(1 << 16).map((_, i) => (i * 2654435761) >>> 24);
    writeFileSync(join(gz, 'train-labels-idx1-ubyte.gz'), Buffer.concat([gzipSync(idx([2], [0, 1])), noisy]));
    expect(() => loadSplit(gz, 'train')).toThrow(/train-labels-idx1-ubyte\.gz: is \d+ bytes long, more than any gzip'd IDX file of 10 bytes \(what its header declares: 2\) could be/);
  });

  it('checks the image size the caller expects, naming both', () => {
    const dir = folder(split('train', 3));
    expect(loadSplit(dir, 'train', { imageSize: [2, 2] }).count).toBe(3);
    expect(() => loadSplit(dir, 'train', { imageSize: [28, 28] })).toThrow(
      `${join(dir, 'train-images-idx3-ubyte.gz')}: has dimensions 3 × 2 × 2, expected ? × 28 × 28`,
    );
    expect(() => loadDataset(dir, { imagesize: [2, 2] } as never)).toThrow(
      'loadDataset(): unknown option "imagesize" (did you mean "imageSize"?)',
    );
    expect(() => loadSplit(dir, 'train', { classes: 0 })).toThrow('loadSplit(): classes must be an integer in [1, 256], got 0');
  });

  it('loads the shipped Fashion-MNIST files: 60,000 + 10,000 28×28 images of 10 balanced classes', () => {
    const { train, test } = loadDataset(fashionMnistDir());
    expect([train.count, train.rows, train.cols, test.count]).toEqual([60_000, 28, 28, 10_000]);
    const counts = new Array<number>(10).fill(0);
    for (const l of train.labels) counts[l]!++;
    expect(counts).toEqual(new Array(10).fill(6000));
    expect(train.labels[0]).toBe(9); // the first training image is an ankle boot
  });
});
