/**
 * Command-line helpers the apps share: parsing of list and number options
 * with errors that name the option, and reading a folder of run records.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

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

/** Every run record (`*.json`) in `dir/runs`, in file-name order; none if the folder is missing. */
export function readRunRecords<T>(dir: string): T[] {
  const runs = join(dir, 'runs');
  if (!existsSync(runs)) return [];
  return readdirSync(runs)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(runs, f), 'utf8')) as T);
}
