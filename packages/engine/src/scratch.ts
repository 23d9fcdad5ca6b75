import { checkInteger, describeValue } from './validate.js';

/** Checks a pool request: a string slot and a length a typed array can have. */
function checkRequest(fn: string, slot: unknown, length: unknown): void {
  if (slot !== null && typeof slot !== 'string') throw new TypeError(`${fn}: slot must be a string, got ${describeValue(slot)}`);
  checkInteger(fn, 'length', length, 0, 0xffff_ffff);
}

/**
 * Reusable typed arrays for temporaries, kept from one use to the next so
 * that a computation repeated every epoch on a big array does not pay for
 * fresh memory (first touching a new array costs page faults, a large share
 * of a plan's time at tens of millions of ids: docs/benchmarks.md) each
 * time.
 *
 * Give each user its own pool (`@seta/core`'s pipeline gives one to every
 * stage), so that two users never share an array. A slot's array is only
 * valid until the same slot is asked for again; contents are whatever the
 * previous use left: overwrite before reading.
 *
 * Memory: the pooled arrays stay allocated for the pruner's lifetime, at the
 * largest size each slot was asked for (plus 1/16 headroom).
 *
 * @example
 * ```ts
 * const order = ctx.scratch?.uint32('order', n) ?? new Uint32Array(n);
 * ```
 */
export class ScratchPool {
  private readonly u32 = new Map<string, Uint32Array>();
  private readonly f32 = new Map<string, Float32Array>();

  /**
   * A Uint32Array of exactly `length` elements, reused from the last request for `slot` when it is large enough.
   *
   * @param slot - the name of the temporary, unique within the stage.
   * @param length - the number of elements.
   * @returns an array of stale contents (a view of the pooled one).
   * @throws TypeError for a slot that is not a string; RangeError for a length that is not an integer in [0, 2^32 − 1].
   */
  uint32(slot: string, length: number): Uint32Array {
    checkRequest('ScratchPool.uint32()', slot, length);
    let a = this.u32.get(slot);
    if (a === undefined || a.length < length) {
      a = new Uint32Array(grow(length));
      this.u32.set(slot, a);
    }
    return a.length === length ? a : a.subarray(0, length);
  }

  /** As {@link ScratchPool.uint32}, for a Float32Array. */
  float32(slot: string, length: number): Float32Array {
    checkRequest('ScratchPool.float32()', slot, length);
    let a = this.f32.get(slot);
    if (a === undefined || a.length < length) {
      a = new Float32Array(grow(length));
      this.f32.set(slot, a);
    }
    return a.length === length ? a : a.subarray(0, length);
  }

  /** Drop every pooled array (they are allocated again when next asked for). */
  clear(): void {
    this.u32.clear();
    this.f32.clear();
  }

  /** Bytes currently held. */
  get bytes(): number {
    let total = 0;
    for (const a of this.u32.values()) total += a.byteLength;
    for (const a of this.f32.values()) total += a.byteLength;
    return total;
  }
}

/** Capacity for a request of `length`: 1/16 headroom, so that sizes that wander a little between epochs reuse the array. */
function grow(length: number): number {
  return length < 1024 ? length : length + (length >>> 4);
}
