/**
 * Base class of every error the seta packages throw on their own account
 * (argument validation uses the built-in `RangeError` and `TypeError`).
 *
 * Catch `SetaError` to handle any of them; check `name` to tell them apart.
 *
 * @example
 * ```ts
 * try { pruner.loadState(bytes); } catch (e) {
 *   if (e instanceof SetaError) console.error(e.name, e.message);
 * }
 * ```
 */
export class SetaError extends Error {
  override name = 'SetaError';

  /**
   * @param message - what went wrong, naming the function and the value.
   * @param options - `cause`: the underlying error, if any.
   */
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * A pruner method was called out of order: a plan for an epoch other than the
 * next one, `observe` before any plan, `endEpoch` twice, and so on.
 */
export class CallOrderError extends SetaError {
  override name = 'CallOrderError';
}

/**
 * Saved state that cannot be restored: not a seta state, a state of another
 * kind or version, built with other options, truncated or corrupted.
 */
export class StateError extends SetaError {
  override name = 'StateError';
}
