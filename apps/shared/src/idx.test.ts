import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

  it('loads the shipped Fashion-MNIST files: 60,000 + 10,000 28×28 images of 10 balanced classes', () => {
    const { train, test } = loadDataset(fashionMnistDir());
    expect([train.count, train.rows, train.cols, test.count]).toEqual([60_000, 28, 28, 10_000]);
    const counts = new Array<number>(10).fill(0);
    for (const l of train.labels) counts[l]!++;
    expect(counts).toEqual(new Array(10).fill(6000));
    expect(train.labels[0]).toBe(9); // the first training image is an ankle boot
  });
});
