/**
 * A minimal WebAssembly assembler: the byte encodings the seta kernels are
 * written in, so that each kernel file holds its algorithm and nothing of
 * the binary format. Kernels are written as arrays of bytes (opcodes and
 * immediates) and assembled into a module that imports one memory
 * (`env.memory`) and exports every function by name. See the WebAssembly
 * core specification, "Binary format", for the encodings.
 */

/** Value types. */
export const I32 = 0x7f;
export const I64 = 0x7e;
export const V128 = 0x7b;

/**
 * Unsigned LEB128 of a non-negative integer (up to 2^53).
 *
 * @example
 * ```ts
 * uleb(624485); // [0xe5, 0x8e, 0x26]
 * ```
 */
export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

/**
 * Signed LEB128 of an integer (a safe-integer number or a bigint, e.g. an
 * i64 immediate).
 *
 * @example
 * ```ts
 * sleb(-123456); // [0xc0, 0xbb, 0x78]
 * ```
 */
export function sleb(value: number | bigint): number[] {
  let n = BigInt(value);
  const out: number[] = [];
  for (;;) {
    const byte = Number(n & 0x7fn);
    n >>= 7n;
    const done = (n === 0n && (byte & 0x40) === 0) || (n === -1n && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return out;
  }
}

/** The instructions every kernel uses, as byte arrays (numeric opcodes stay in the kernels, named there). */
export const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  end: 0x0b,
  br: (label: number) => [0x0c, ...uleb(label)],
  brIf: (label: number) => [0x0d, ...uleb(label)],
  call: (f: number) => [0x10, ...uleb(f)],
  get: (local: number) => [0x20, ...uleb(local)],
  set: (local: number) => [0x21, ...uleb(local)],
  /** i32.const of the 32 bits of `v` (0x80000000 and −2^31 are the same constant). */
  i32: (v: number) => [0x41, ...sleb(v | 0)],
  tee: (local: number) => [0x22, ...uleb(local)],
  i64: (v: number | bigint) => [0x42, ...sleb(v)],
  /** i32.load at `offset` bytes past the address on the stack (4-byte aligned). */
  load: (offset = 0) => [0x28, 2, ...uleb(offset)],
  /** i32.store at `offset` bytes past the address. */
  store: (offset = 0) => [0x36, 2, ...uleb(offset)],
};

/** One exported function of a module. */
export interface WasmFunction {
  /** The name it is exported under. */
  readonly name: string;
  readonly params: readonly number[];
  readonly results: readonly number[];
  /** Local declarations beyond the parameters, as [count, type] runs. */
  readonly locals?: readonly (readonly [number, number])[];
  /** The instructions, without the final `end`. */
  readonly body: readonly number[];
}

const vec = (items: readonly (readonly number[])[]) => [...uleb(items.length), ...items.flat()];
const sized = (bytes: readonly number[]) => [...uleb(bytes.length), ...bytes];
const section = (id: number, body: readonly number[]) => [id, ...sized(body)];
const name = (s: string) => sized(Array.from(s, (c) => c.charCodeAt(0)));

/**
 * The bytes of a module that imports one memory (`env.memory`, at least one
 * page) and exports `functions`, in order: function `i` is index `i` for
 * `call`. O(total size).
 *
 * @param functions - the functions.
 * @returns the module's bytes, for {@link compileWasm}.
 */
export function assembleModule(functions: readonly WasmFunction[]): Uint8Array {
  const types = functions.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec(f.results.map((t) => [t]))]);
  const memoryImport = [...name('env'), ...name('memory'), 0x02, 0x00, 1];
  const code = functions.map((f) => sized([...vec((f.locals ?? []).map(([count, type]) => [...uleb(count), type])), ...f.body, op.end]));
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)),
    ...section(2, vec([memoryImport])),
    ...section(3, vec(functions.map((_, i) => uleb(i)))),
    ...section(7, vec(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vec(code)),
  ]);
}
