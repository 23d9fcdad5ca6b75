/**
 * Reading MNIST-format (IDX) files: Fashion-MNIST, MNIST, KMNIST and anything
 * else stored the same way.
 *
 * IDX layout (LeCun et al.): a big-endian header — two zero bytes, a type
 * byte (0x08 = unsigned byte), the number of dimensions — then one big-endian
 * uint32 per dimension, then the data, row-major. Files may be gzip'd.
 */
import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import { checkInteger, checkOptionKeys, checkOptions, describeValue } from '@seta/core';

/** A malformed, truncated, mismatched or missing dataset file. */
export class DatasetError extends Error {
  override name = 'DatasetError';
}

/** One decoded IDX tensor of unsigned bytes. */
export interface IdxTensor {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;
const UBYTE = 0x08;
/** The largest data this loader accepts: one JavaScript typed array's worth on every platform, 2^31 − 1 bytes. */
const MAX_DATA = 0x7fffffff;
/** Output allowed while looking for the header in a gzip'd file's first bytes. */
const HEADER_PROBE_OUTPUT = 1 << 20;

const isGzip = (bytes: Uint8Array): boolean => bytes.length >= 2 && bytes[0] === GZIP_MAGIC_0 && bytes[1] === GZIP_MAGIC_1;
const isTooLarge = (error: unknown): boolean => (error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE';

function gzipError(name: string, cause: unknown): DatasetError {
  return new DatasetError(`${name}: not a valid gzip file (${(cause as Error).message}); is it truncated or corrupt?`, { cause });
}

/**
 * The first bytes of a gzip'd file's contents, enough to hold an IDX header
 * (at most 4 + 4 · 255 bytes), inflating as little as possible: prefixes of
 * the compressed bytes are inflated with a sync flush (no error for the cut),
 * each capped at 1 MiB of output; a prefix whose output passes the cap is
 * halved towards the last one that fell short. O(header) time and memory,
 * whatever the file inflates to.
 */
function inflateHeader(bytes: Uint8Array, name: string): Uint8Array {
  let short = 0; // longest prefix known to give too little
  let over = Infinity; // shortest prefix known to give more than the cap
  let length = Math.min(bytes.length, 256);
  for (;;) {
    let out: Uint8Array;
    try {
      out = gunzipSync(bytes.subarray(0, length), { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: HEADER_PROBE_OUTPUT });
    } catch (error) {
      if (!isTooLarge(error)) throw gzipError(name, error);
      over = length;
      if (over - short <= 1) throw new DatasetError(`${name}: its IDX header cannot be read without inflating more than 1 MiB at once`);
      length = Math.floor((short + over) / 2);
      continue;
    }
    const need = out.length >= 4 ? 4 + 4 * out[3]! : 4;
    if (out.length >= need || length === bytes.length) return out;
    short = length;
    length = over === Infinity ? Math.min(bytes.length, length * 2) : Math.floor((short + over) / 2);
    if (length <= short) return out;
  }
}

/** What an IDX header says. */
interface IdxHeader {
  readonly dims: number[];
  /** Bytes of header. */
  readonly headerLength: number;
  /** Bytes of data: the product of the dimensions. */
  readonly count: number;
}

/**
 * Parse and check the header at the start of `raw` (the file's contents or
 * their first bytes): magic number, type, rank, dimensions, the caller's
 * expected dimensions, and a data size this loader can hold.
 */
function parseHeader(raw: Uint8Array, name: string, expectedRank: number, expectedDims?: readonly (number | undefined)[]): IdxHeader {
  if (raw.length < 4) throw new DatasetError(`${name}: too short to be an IDX file (${raw.length} bytes)`);
  if (raw[0] !== 0 || raw[1] !== 0) {
    throw new DatasetError(`${name}: not an IDX file (its magic number should start with two zero bytes)`);
  }
  if (raw[2] !== UBYTE) {
    throw new DatasetError(`${name}: IDX type 0x${raw[2]!.toString(16).padStart(2, '0')} is not supported (expected 0x08, unsigned bytes)`);
  }
  const rank = raw[3]!;
  if (rank !== expectedRank) {
    throw new DatasetError(`${name}: has ${rank} dimensions, expected ${expectedRank} (magic 0x0000080${expectedRank})`);
  }
  const headerLength = 4 + 4 * rank;
  if (raw.length < headerLength) throw new DatasetError(`${name}: truncated in its header`);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let d = 0; d < rank; d++) {
    const size = view.getUint32(4 + 4 * d, false);
    if (size === 0) throw new DatasetError(`${name}: dimension ${d} is 0`);
    dims.push(size);
    count *= size;
  }
  if (expectedDims !== undefined && expectedDims.some((e, d) => e !== undefined && e !== dims[d])) {
    const want = dims.map((_, d) => expectedDims[d] ?? '?').join(' × ');
    throw new DatasetError(`${name}: has dimensions ${dims.join(' × ')}, expected ${want}`);
  }
  if (count > MAX_DATA) {
    throw new DatasetError(`${name}: declares ${count} bytes of data (${dims.join(' × ')}), more than the ${MAX_DATA} this loader handles`);
  }
  return { dims, headerLength, count };
}

/** Inflate a whole gzip'd file, but never past `limit` bytes of output. */
function inflateAtMost(bytes: Uint8Array, name: string, header: IdxHeader): Uint8Array {
  const limit = header.headerLength + header.count;
  try {
    return gunzipSync(bytes, { maxOutputLength: limit });
  } catch (error) {
    if (!isTooLarge(error)) throw gzipError(name, error);
    throw new DatasetError(
      `${name}: inflates to more than the ${limit} bytes its header declares (${header.headerLength} bytes of header, ${header.count} of data: ${header.dims.join(' × ')}); stopped inflating there`,
    );
  }
}

function checkDataLength(name: string, header: IdxHeader, dataLength: number): void {
  const { count, dims } = header;
  if (dataLength < count) {
    throw new DatasetError(`${name}: truncated: the header promises ${count} bytes of data (${dims.join(' × ')}), the file holds ${dataLength}`);
  }
  if (dataLength > count) {
    throw new DatasetError(`${name}: ${dataLength - count} unexpected bytes after the ${count} bytes of data the header describes (${dims.join(' × ')})`);
  }
}

/**
 * Decode an IDX file (raw or gzip'd) of unsigned bytes, checking the magic
 * number, the type, the dimensions and that the data is exactly as long as
 * they say. A gzip'd file is inflated only up to the size its header
 * declares: a file that inflates to more (a gzip bomb) is refused after
 * inflating that much, never all of it. O(declared size) time and memory.
 *
 * @param bytes - the file's contents.
 * @param name - the file's name, for error messages.
 * @param expectedRank - the number of dimensions the caller needs (3 for images, 1 for labels).
 * @param expectedDims - sizes the caller needs, `undefined` for any (`[undefined, 28, 28]`).
 * @throws DatasetError naming the file and what is wrong.
 */
export function decodeIdx(
  bytes: Uint8Array,
  name: string,
  expectedRank: number,
  expectedDims?: readonly (number | undefined)[],
): IdxTensor {
  const gz = isGzip(bytes);
  const header = parseHeader(gz ? inflateHeader(bytes, name) : bytes, name, expectedRank, expectedDims);
  const raw = gz ? inflateAtMost(bytes, name, header) : bytes;
  checkDataLength(name, header, raw.length - header.headerLength);
  return { dims: header.dims, data: raw.subarray(header.headerLength) };
}

/**
 * The longest a gzip'd file of `total` bytes can be: deflate's stored blocks
 * add 5 bytes per 65,535, gzip's header (with a file name) and trailer some
 * hundreds; 64 KiB of slack covers names, comments and extra fields.
 */
const maxGzipLength = (total: number): number => total + 5 * Math.ceil(total / 65535) + 65536;

/**
 * Read and decode the IDX file at `path`, refusing a directory, a raw file
 * of another length than its header declares (before reading its data) and
 * a gzip'd file longer than its declared data could compress to.
 */
function readIdx(path: string, expectedRank: number, expectedDims?: readonly (number | undefined)[]): IdxTensor {
  let fd: number;
  try {
    if (statSync(path).isDirectory()) throw new DatasetError(`${path}: is a directory, expected an IDX file (raw or gzip'd)`);
    fd = openSync(path, 'r');
  } catch (error) {
    if (error instanceof DatasetError) throw error;
    throw new DatasetError(`${path}: cannot be read (${(error as Error).message})`, { cause: error });
  }
  try {
    const size = fstatSync(fd).size;
    const head = new Uint8Array(Math.min(size, 1 << 16));
    const got = readSync(fd, head, 0, head.length, 0);
    const start = head.subarray(0, got);
    const gz = isGzip(start);
    const header = parseHeader(gz ? inflateHeader(start, path) : start, path, expectedRank, expectedDims);
    if (gz) {
      if (size > maxGzipLength(header.headerLength + header.count)) {
        throw new DatasetError(
          `${path}: is ${size} bytes long, more than any gzip'd IDX file of ${header.headerLength + header.count} bytes (what its header declares: ${header.dims.join(' × ')}) could be`,
        );
      }
    } else {
      checkDataLength(path, header, size - header.headerLength);
    }
    const bytes = new Uint8Array(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, bytes, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return decodeIdx(bytes.subarray(0, read), path, expectedRank, expectedDims);
  } catch (error) {
    if (error instanceof DatasetError) throw error;
    throw new DatasetError(`${path}: cannot be read (${(error as Error).message})`, { cause: error });
  } finally {
    closeSync(fd);
  }
}

/** Images and labels of one split. */
export interface ImageSplit {
  /** Number of examples. */
  readonly count: number;
  readonly rows: number;
  readonly cols: number;
  /** `count · rows · cols` pixels, row-major, 0 … 255. */
  readonly images: Uint8Array;
  /** `count` labels. */
  readonly labels: Uint8Array;
}

/** Options of {@link loadSplit} and {@link loadDataset}. */
export interface LoadOptions {
  /** Labels must be below this (default 10). */
  readonly classes?: number;
  /** `[rows, cols]` the images must have (default: any), e.g. `[28, 28]` for a model built for Fashion-MNIST. */
  readonly imageSize?: readonly [number, number];
}

function parseLoadOptions(fn: string, options: LoadOptions): { classes: number; imageSize: readonly [number, number] | undefined } {
  checkOptions(fn, options);
  checkOptionKeys(fn, options, ['classes', 'imageSize']);
  const classes = checkInteger(fn, 'classes', options.classes ?? 10, 1, 256);
  const size = options.imageSize;
  if (size !== undefined) {
    if (!Array.isArray(size) || size.length !== 2) {
      throw new TypeError(`${fn}: imageSize must be [rows, cols], got ${describeValue(size)}`);
    }
    size.forEach((v, i) => checkInteger(fn, `imageSize[${i}]`, v, 1));
  }
  return { classes, imageSize: size };
}

function findFile(dir: string, base: string): string {
  for (const candidate of [`${base}.gz`, base]) {
    const path = join(dir, candidate);
    try {
      statSync(path);
      return path;
    } catch {
      /* try the next name */
    }
  }
  throw new DatasetError(`${dir}: missing ${base}.gz (or ${base}); expected the four MNIST-format files there`);
}

function split(dir: string, prefix: 'train' | 't10k', classes: number, imageSize: readonly [number, number] | undefined): ImageSplit {
  const imagePath = findFile(dir, `${prefix}-images-idx3-ubyte`);
  const labelPath = findFile(dir, `${prefix}-labels-idx1-ubyte`);
  const images = readIdx(imagePath, 3, imageSize === undefined ? undefined : [undefined, imageSize[0], imageSize[1]]);
  const [count, rows, cols] = images.dims as [number, number, number];
  const labels = readIdx(labelPath, 1);
  if (labels.dims[0] !== count) {
    throw new DatasetError(`${labelPath}: holds ${labels.dims[0]} labels but ${imagePath} holds ${count} images`);
  }
  for (let i = 0; i < count; i++) {
    if (labels.data[i]! >= classes) {
      throw new DatasetError(`${labelPath}: label ${i} is ${labels.data[i]}, expected a class in 0 … ${classes - 1}`);
    }
  }
  return { count, rows, cols, images: images.data, labels: labels.data };
}

/**
 * Load one split ("train" or "t10k" files) from a directory of MNIST-format
 * files, checking that images and labels pair up, that every label is a
 * class below `classes` and, if given, that the images are `imageSize`.
 *
 * @throws DatasetError for missing, malformed, truncated, oversized or
 *   mismatched files (naming the path); TypeError / RangeError for bad options.
 */
export function loadSplit(dir: string, prefix: 'train' | 't10k', options: LoadOptions = {}): ImageSplit {
  const fn = 'loadSplit()';
  const { classes, imageSize } = parseLoadOptions(fn, options);
  return split(dir, prefix, classes, imageSize);
}

/** The official split: training and test sets. */
export interface Dataset {
  readonly train: ImageSplit;
  readonly test: ImageSplit;
}

/**
 * Load a whole MNIST-format dataset, for example the Fashion-MNIST files of
 * {@link fashionMnistDir}: 60,000 training and 10,000 test images.
 *
 * @param options - `classes` (labels below it, default 10), `imageSize`
 *   (`[rows, cols]` the images must have; default any).
 * @throws DatasetError as {@link loadSplit}, and if the splits' image sizes differ.
 */
export function loadDataset(dir: string, options: LoadOptions = {}): Dataset {
  const fn = 'loadDataset()';
  const { classes, imageSize } = parseLoadOptions(fn, options);
  const train = split(dir, 'train', classes, imageSize);
  const test = split(dir, 't10k', classes, imageSize);
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new DatasetError(`${dir}: training images are ${train.rows}×${train.cols} but test images are ${test.rows}×${test.cols}`);
  }
  return { train, test };
}

/** Fashion-MNIST's class names, in label order. */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

/**
 * The folder holding the official Fashion-MNIST files shipped with this
 * package (`data/fashion-mnist/`, gzip'd IDX, with their license), resolved
 * from this module's location, so it works from `src/` (tests) and `dist/`.
 */
export function fashionMnistDir(): string {
  return fileURLToPath(new URL('../data/fashion-mnist', import.meta.url));
}
