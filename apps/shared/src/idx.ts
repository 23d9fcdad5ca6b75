/**
 * Reading MNIST-format (IDX) files: Fashion-MNIST, MNIST, KMNIST and anything
 * else stored the same way.
 *
 * IDX layout (LeCun et al.): a big-endian header — two zero bytes, a type
 * byte (0x08 = unsigned byte), the number of dimensions — then one big-endian
 * uint32 per dimension, then the data, row-major. Files may be gzip'd.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

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

/**
 * Decode an IDX file (raw or gzip'd) of unsigned bytes, checking the magic
 * number, the type, the dimensions and that the data is exactly as long as
 * they say.
 *
 * @param bytes - the file's contents.
 * @param name - the file's name, for error messages.
 * @param expectedRank - the number of dimensions the caller needs (3 for images, 1 for labels).
 * @throws DatasetError naming the file and what is wrong.
 */
export function decodeIdx(bytes: Uint8Array, name: string, expectedRank: number): IdxTensor {
  let raw = bytes;
  if (bytes.length >= 2 && bytes[0] === GZIP_MAGIC_0 && bytes[1] === GZIP_MAGIC_1) {
    try {
      raw = gunzipSync(bytes);
    } catch (cause) {
      throw new DatasetError(`${name}: not a valid gzip file (${(cause as Error).message}); is it truncated or corrupt?`, { cause });
    }
  }
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
  const dataLength = raw.length - headerLength;
  if (dataLength < count) {
    throw new DatasetError(`${name}: truncated: the header promises ${count} bytes of data (${dims.join(' × ')}), the file holds ${dataLength}`);
  }
  if (dataLength > count) {
    throw new DatasetError(`${name}: ${dataLength - count} unexpected bytes after the ${count} bytes of data the header describes (${dims.join(' × ')})`);
  }
  return { dims, data: raw.subarray(headerLength) };
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

function findFile(dir: string, base: string): string {
  for (const candidate of [`${base}.gz`, base]) {
    const path = join(dir, candidate);
    if (existsSync(path)) return path;
  }
  throw new DatasetError(`${dir}: missing ${base}.gz (or ${base}); expected the four MNIST-format files there`);
}

/**
 * Load one split ("train" or "t10k" files) from a directory of MNIST-format
 * files, checking that images and labels pair up and that every label is a
 * class below `classes`.
 *
 * @throws DatasetError for missing, malformed, truncated or mismatched files.
 */
export function loadSplit(dir: string, prefix: 'train' | 't10k', classes = 10): ImageSplit {
  const imagePath = findFile(dir, `${prefix}-images-idx3-ubyte`);
  const labelPath = findFile(dir, `${prefix}-labels-idx1-ubyte`);
  const images = decodeIdx(readFileSync(imagePath), imagePath, 3);
  const labels = decodeIdx(readFileSync(labelPath), labelPath, 1);
  const [count, rows, cols] = images.dims as [number, number, number];
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

/** The official split: training and test sets. */
export interface Dataset {
  readonly train: ImageSplit;
  readonly test: ImageSplit;
}

/**
 * Load a whole MNIST-format dataset, for example the Fashion-MNIST files of
 * {@link fashionMnistDir}: 60,000 training and 10,000 test images.
 */
export function loadDataset(dir: string, classes = 10): Dataset {
  const train = loadSplit(dir, 'train', classes);
  const test = loadSplit(dir, 't10k', classes);
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
