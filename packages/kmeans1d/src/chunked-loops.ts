/**
 * How the package's long loops are laid out for V8, so that the first calls
 * run optimized code and not only the later ones.
 *
 * - Each loop sits in its own small function that does nothing before its
 *   loop. V8 then optimizes each with complete type feedback: a long
 *   function optimized in the middle of its first loop deopts on reaching
 *   the later ones, and code that runs before a function's first loop on its
 *   first call records no type feedback, so its optimized code deopts on the
 *   next call.
 * - Long loops run in chunks, one call of that function each ({@link chunkEnd}).
 */

/**
 * The end of the chunk of a long loop that starts at `from` (< n). Long
 * loops run in chunks, one function call each, of 512, 512, 1024, 2048, …
 * elements up to 2^15: V8 then sees each loop function run to its end a few
 * times (complete type feedback) and compiles it as a whole early in the
 * first call, instead of only replacing the running loop on the stack
 * (on-stack replacement, which the next call does not reuse, and which
 * deopts on reaching code it has no feedback for), so the second call runs
 * optimized code from its start.
 */
export function chunkEnd(from: number, n: number): number {
  const size = from < 512 ? 512 : from > 32768 ? 32768 : from;
  return from + size < n ? from + size : n;
}
