/**
 * Where things are in the memory of the shuffle-and-sample kernel
 * (kernel.ts): the draw buffer (4,096 words) at address 0, then the bucket
 * starts, the generator's four state words, then the data.
 */
export const DRAWS_WORDS = 4096;
export const STARTS_OFFSET = DRAWS_WORDS * 4;
/** Room for 2^10 + 1 bucket starts. */
const STARTS_BYTES = 4100 + 12;
/** The generator's four state words while a kernel runs. */
export const STATE_OFFSET = STARTS_OFFSET + STARTS_BYTES;
export const DATA_OFFSET = STATE_OFFSET + 16;
/** Function indices in the module, for `call`. */
export const RUN = 0;
export const SAMPLE = 1;
export const FILL = 2;
