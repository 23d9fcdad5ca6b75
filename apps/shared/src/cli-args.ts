/**
 * The apps' command-line arguments: the options every app takes, and parsing
 * of list and number options with errors that name the option.
 */

/** `a,b,c` → the items, each checked against `allowed`; undefined when the option is absent. */
export function parseList<T extends string>(value: string | undefined, allowed: readonly T[], name: string): T[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new RangeError(`--${name}: expected at least one of ${allowed.join(', ')}`);
  for (const item of items) {
    if (!(allowed as readonly string[]).includes(item)) throw new RangeError(`--${name}: unknown value "${item}"; expected one of ${allowed.join(', ')}`);
  }
  return items as T[];
}

/** A positive number (an integer unless `integer` is false); undefined when the option is absent. */
export function parsePositive(value: string | undefined, name: string, integer = true): number | undefined {
  if (value === undefined) return undefined;
  const x = Number(value);
  if (value.trim() === '' || !Number.isFinite(x) || x <= 0 || (integer && !Number.isInteger(x))) {
    throw new RangeError(`--${name}: expected a positive ${integer ? 'integer' : 'number'}, got "${value}"`);
  }
  return x;
}

/** `0,1,2` → non-negative integer seeds; undefined when the option is absent. */
export function parseSeeds(value: string | undefined, name = 'seeds'): number[] | undefined {
  if (value === undefined) return undefined;
  return value.split(',').map((s) => {
    const x = Number(s);
    if (s.trim() === '' || !Number.isInteger(x) || x < 0) throw new RangeError(`--${name}: expected non-negative integers, got "${s}"`);
    return x;
  });
}

/**
 * The options every app's command line takes, for `node:util`'s `parseArgs`;
 * an app spreads them into its own. Values stay strings so the parsers above
 * can name the option in their errors.
 */
export const COMMON_OPTIONS = {
  profile: { type: 'string', default: 'quick' },
  strategies: { type: 'string' },
  seeds: { type: 'string' },
  epochs: { type: 'string' },
  'batch-size': { type: 'string' },
  lr: { type: 'string' },
  'train-size': { type: 'string' },
  'test-size': { type: 'string' },
  'data-dir': { type: 'string' },
  backend: { type: 'string' },
  out: { type: 'string' },
  notes: { type: 'string' },
  'no-progress': { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

/** The profile named by `--profile`. */
export function pickProfile<P>(profiles: Readonly<Record<string, P>>, name: string): P {
  const profile = profiles[name];
  if (profile === undefined) throw new RangeError(`--profile: unknown profile "${name}"; expected one of ${Object.keys(profiles).join(', ')}`);
  return profile;
}

/** The TensorFlow.js backends `--backend` may force, in `selectBackend`'s names. */
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';

/** `--backend a,b` → the backends to try in that order; undefined when absent (the fastest that works). */
export function parseBackend(value: string | undefined): BackendName[] | undefined {
  return value === undefined ? undefined : (parseList(value, ['tensorflow', 'wasm', 'cpu'] as const, 'backend') ?? []);
}
