import { crc32 } from './crc32.js';
import { StateError } from './errors.js';
import { checkInteger, describeValue } from '@seta/engine';

/*
 * Binary layout of a seta state (all integers little-endian):
 *
 *   0   "SETA"                 magic, 4 bytes
 *   4   u16 layout version     (this file's FORMAT_VERSION)
 *   6   u16 0                  reserved
 *   8   u32 kind length, kind  UTF-8, e.g. "loss-store", padded to 4
 *   .   u32 kind version       the owner's own version of its contents
 *   .   u32 section count
 *   .   sections, each:        u32 name length, name (UTF-8, padded to 4),
 *                              u32 type code, u32 0, f64 byte length,
 *                              payload padded to 8 (payloads start 8-aligned)
 *   end-8  u32 total length    of the whole state, trailer included
 *   end-4  u32 CRC-32          of every byte before it
 */

const MAGIC = [0x53, 0x45, 0x54, 0x41]; // "SETA"
const FORMAT_VERSION = 1;

const TYPES = {
  bytes: 1,
  uint8: 2,
  uint16: 3,
  uint32: 4,
  int32: 5,
  float32: 6,
  float64: 7,
  json: 8,
} as const;
type TypeName = keyof typeof TYPES;
const TYPE_NAMES = Object.fromEntries(Object.entries(TYPES).map(([k, v]) => [v, k])) as Record<number, TypeName>;

type ArrayOf = {
  uint8: Uint8Array;
  uint16: Uint16Array;
  uint32: Uint32Array;
  int32: Int32Array;
  float32: Float32Array;
  float64: Float64Array;
};
const CTORS = {
  uint8: Uint8Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  float32: Float32Array,
  float64: Float64Array,
} as const;

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

const pad = (n: number, to: number): number => (n + to - 1) & ~(to - 1);

function checkName(fn: string, what: string, name: unknown): void {
  if (typeof name !== 'string' || name === '') throw new TypeError(`${fn}: ${what} must be a non-empty string, got ${describeValue(name)}`);
}

/** A section's name and value, the value of the class the section's type names (a Float64Array is not float32 data). */
function checkSection(fn: string, name: unknown, value: unknown, ctor: abstract new (...args: never[]) => unknown): void {
  checkName(fn, 'name', name);
  if (!(value instanceof ctor)) {
    throw new TypeError(`${fn}: section "${name as string}" must be a ${ctor.name}, got ${describeValue(value)}`);
  }
}

interface Section {
  readonly name: Uint8Array;
  readonly type: number;
  readonly payload: Uint8Array;
}

/**
 * Builds a versioned, checksummed binary state from named sections — the
 * format every seta `saveState()` writes. O(total bytes).
 *
 * @example
 * ```ts
 * const w = new StateWriter('my-pruner', 1);
 * w.json('options', { seed: 1 });
 * w.float32('scores', scores);
 * const bytes = w.finish();
 * ```
 */
export class StateWriter {
  private readonly sections: Section[] = [];
  private readonly names = new Set<string>();

  /**
   * @param kind - what the state belongs to; a reader expecting another kind rejects it.
   * @param version - the owner's content version, an integer in [0, 2^32 − 1]; a reader expecting another rejects it.
   * @throws TypeError if `kind` is not a non-empty string; RangeError for a bad `version`.
   */
  constructor(
    private readonly kind: string,
    private readonly version: number,
  ) {
    checkName('StateWriter()', 'kind', kind);
    checkInteger('StateWriter()', 'version', version, 0, 0xffff_ffff);
  }

  private add(name: string, type: number, payload: Uint8Array): this {
    if (this.names.has(name)) throw new StateError(`StateWriter: section "${name}" written twice`);
    this.names.add(name);
    this.sections.push({ name: encoder.encode(name), type, payload });
    return this;
  }

  /**
   * A section holding any JSON-serialisable value.
   *
   * @throws TypeError if `name` is not a non-empty string, or `value` has no
   *   JSON form (`undefined`, a function, a BigInt, a cycle).
   */
  json(name: string, value: unknown): this {
    const fn = 'StateWriter.json()';
    checkName(fn, 'name', name);
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (cause) {
      throw new TypeError(`${fn}: section "${name}" must hold a JSON-serialisable value (${(cause as Error).message})`, { cause });
    }
    if (text === undefined) {
      throw new TypeError(`${fn}: section "${name}" must hold a JSON-serialisable value, got ${describeValue(value)}`);
    }
    return this.add(name, TYPES.json, encoder.encode(text));
  }

  /**
   * A section of raw bytes.
   *
   * @throws TypeError if `name` is not a non-empty string or `value` not a Uint8Array.
   */
  bytes(name: string, value: Uint8Array): this {
    checkSection('StateWriter.bytes()', name, value, Uint8Array);
    return this.add(name, TYPES.bytes, value);
  }

  uint8(name: string, value: Uint8Array): this {
    return this.typed(name, 'uint8', value);
  }
  uint16(name: string, value: Uint16Array): this {
    return this.typed(name, 'uint16', value);
  }
  uint32(name: string, value: Uint32Array): this {
    return this.typed(name, 'uint32', value);
  }
  int32(name: string, value: Int32Array): this {
    return this.typed(name, 'int32', value);
  }
  float32(name: string, value: Float32Array): this {
    return this.typed(name, 'float32', value);
  }
  float64(name: string, value: Float64Array): this {
    return this.typed(name, 'float64', value);
  }

  private typed(name: string, type: Exclude<TypeName, 'bytes' | 'json'>, value: ArrayBufferView): this {
    checkSection(`StateWriter.${type}()`, name, value, CTORS[type]);
    return this.add(name, TYPES[type], new Uint8Array(value.buffer, value.byteOffset, value.byteLength));
  }

  /** The encoded state. */
  finish(): Uint8Array {
    const kind = encoder.encode(this.kind);
    let size = 8 + 4 + pad(kind.length, 4) + 8;
    for (const s of this.sections) {
      size = pad(size + 4 + pad(s.name.length, 4) + 16, 8);
      size = pad(size + s.payload.length, 8);
    }
    size += 8;
    const out = new Uint8Array(size);
    const view = new DataView(out.buffer);
    out.set(MAGIC, 0);
    view.setUint16(4, FORMAT_VERSION, true);
    let p = 8;
    view.setUint32(p, kind.length, true);
    out.set(kind, p + 4);
    p = p + 4 + pad(kind.length, 4);
    view.setUint32(p, this.version, true);
    view.setUint32(p + 4, this.sections.length, true);
    p += 8;
    for (const s of this.sections) {
      view.setUint32(p, s.name.length, true);
      out.set(s.name, p + 4);
      p = p + 4 + pad(s.name.length, 4);
      view.setUint32(p, s.type, true);
      view.setFloat64(p + 8, s.payload.length, true);
      p = pad(p + 16, 8);
      out.set(s.payload, p);
      p = pad(p + s.payload.length, 8);
    }
    view.setUint32(p, size, true);
    view.setUint32(p + 4, crc32(out.subarray(0, p + 4)), true);
    return out;
  }
}

/**
 * Reads a state written by {@link StateWriter}, checking magic, layout
 * version, kind, content version, length and checksum before anything is
 * read. Every getter returns a fresh copy the caller owns.
 *
 * @example
 * ```ts
 * const r = StateReader.open(bytes, 'my-pruner', 1, 'MyPruner.loadState()');
 * const scores = r.float32('scores', size);
 * ```
 */
export class StateReader {
  private constructor(
    private readonly bytes: Uint8Array,
    private readonly sections: Map<string, { type: number; start: number; length: number }>,
    private readonly fn: string,
  ) {}

  /**
   * Validate `bytes` and index its sections.
   *
   * @param bytes - the encoded state.
   * @param kind - the kind expected.
   * @param version - the content version expected.
   * @param fn - the caller, for error messages (e.g. `'LossStore.loadState()'`).
   * @throws TypeError if `bytes` is not a Uint8Array (a Node `Buffer` is one); StateError naming what does not match.
   */
  static open(bytes: Uint8Array, kind: string, version: number, fn: string): StateReader {
    if (!(bytes instanceof Uint8Array)) {
      throw new TypeError(`${fn}: state must be a Uint8Array, got ${describeValue(bytes)}`);
    }
    const fail = (what: string): never => {
      throw new StateError(`${fn}: ${what}`);
    };
    if (bytes.length < 24 || MAGIC.some((m, i) => bytes[i] !== m)) {
      fail('not a seta state (expected the magic bytes "SETA" at its start)');
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const layout = view.getUint16(4, true);
    if (layout !== FORMAT_VERSION) fail(`state layout version ${layout} is not supported (expected ${FORMAT_VERSION})`);
    const n = bytes.length;
    const declared = view.getUint32(n - 8, true);
    if (declared !== n) fail(`state is truncated or has trailing bytes (declares ${declared} bytes, got ${n})`);
    const expectedCrc = view.getUint32(n - 4, true);
    const actualCrc = crc32(bytes.subarray(0, n - 4));
    if (expectedCrc !== actualCrc) fail('state is corrupted (checksum mismatch)');
    let p = 8;
    const need = (k: number): void => {
      if (p + k > n - 8) fail('state is malformed (a field runs past its end)');
    };
    need(4);
    const kindLength = view.getUint32(p, true);
    need(4 + kindLength);
    let gotKind: string;
    try {
      gotKind = decoder.decode(bytes.subarray(p + 4, p + 4 + kindLength));
    } catch (cause) {
      throw new StateError(`${fn}: state is malformed (kind is not UTF-8)`, { cause });
    }
    if (gotKind !== kind) fail(`this is a state of "${gotKind}", expected a state of "${kind}"`);
    p = p + 4 + pad(kindLength, 4);
    need(8);
    const gotVersion = view.getUint32(p, true);
    if (gotVersion !== version) fail(`state version ${gotVersion} of "${kind}" is not supported (expected ${version})`);
    const count = view.getUint32(p + 4, true);
    p += 8;
    const sections = new Map<string, { type: number; start: number; length: number }>();
    for (let s = 0; s < count; s++) {
      need(4);
      const nameLength = view.getUint32(p, true);
      need(4 + nameLength);
      const name = decoder.decode(bytes.subarray(p + 4, p + 4 + nameLength));
      p = p + 4 + pad(nameLength, 4);
      need(16);
      const type = view.getUint32(p, true);
      const length = view.getFloat64(p + 8, true);
      p = pad(p + 16, 8);
      if (!Number.isSafeInteger(length) || length < 0) fail(`state is malformed (section "${name}" has a bad length)`);
      need(length);
      sections.set(name, { type, start: p, length });
      p = pad(p + length, 8);
    }
    return new StateReader(bytes, sections, fn);
  }

  /** Whether a section of that name exists. */
  has(name: string): boolean {
    return this.sections.has(name);
  }

  private section(name: string, type: TypeName): { start: number; length: number } {
    const s = this.sections.get(name);
    if (s === undefined) throw new StateError(`${this.fn}: state has no "${name}" section`);
    if (s.type !== TYPES[type]) {
      throw new StateError(
        `${this.fn}: state section "${name}" holds ${TYPE_NAMES[s.type] ?? `type ${s.type}`}, expected ${type}`,
      );
    }
    return s;
  }

  /** The JSON value of a section. */
  json<T = unknown>(name: string): T {
    const s = this.section(name, 'json');
    try {
      return JSON.parse(decoder.decode(this.bytes.subarray(s.start, s.start + s.length))) as T;
    } catch (cause) {
      throw new StateError(`${this.fn}: state section "${name}" is not valid JSON`, { cause });
    }
  }

  /** The raw bytes of a section (a copy). */
  rawBytes(name: string): Uint8Array {
    const s = this.section(name, 'bytes');
    return this.copy(s.start, s.length);
  }

  /**
   * A new Uint8Array of its own buffer holding `length` bytes from `start`.
   * Not `bytes.slice()`: on a Node `Buffer` (what `readFileSync` returns)
   * `slice` is a view into the same, often larger and shared, memory — a
   * typed array built on its `.buffer` from offset 0 would read other bytes.
   */
  private copy(start: number, length: number): Uint8Array {
    const out = new Uint8Array(length);
    out.set(this.bytes.subarray(start, start + length));
    return out;
  }

  uint8(name: string, length?: number): Uint8Array {
    return this.typed(name, 'uint8', length);
  }
  uint16(name: string, length?: number): Uint16Array {
    return this.typed(name, 'uint16', length);
  }
  uint32(name: string, length?: number): Uint32Array {
    return this.typed(name, 'uint32', length);
  }
  int32(name: string, length?: number): Int32Array {
    return this.typed(name, 'int32', length);
  }
  float32(name: string, length?: number): Float32Array {
    return this.typed(name, 'float32', length);
  }
  float64(name: string, length?: number): Float64Array {
    return this.typed(name, 'float64', length);
  }

  private typed<K extends keyof ArrayOf>(name: string, type: K, length?: number): ArrayOf[K] {
    const s = this.section(name, type);
    const ctor = CTORS[type];
    if (s.length % ctor.BYTES_PER_ELEMENT !== 0) {
      throw new StateError(`${this.fn}: state section "${name}" has a length that is not a whole number of ${type}`);
    }
    const count = s.length / ctor.BYTES_PER_ELEMENT;
    if (length !== undefined && count !== length) {
      throw new StateError(`${this.fn}: state section "${name}" holds ${count} values, expected ${length}`);
    }
    // A fresh array (so aligned for any element size), filled byte for byte (see `copy`).
    const out = new ctor(count);
    new Uint8Array(out.buffer).set(this.bytes.subarray(s.start, s.start + s.length));
    return out as ArrayOf[K];
  }
}
