// What the benchmark scripts share: reading flags, medians and rounding, and
// a seeded generator so every script and process sees the same data.

/** The value after `name` in `args`, or `fallback`. */
export const flagIn = (args) => (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
export const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

/** A seeded uniform generator in [0, 1) (mulberry32). */
export function generator(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
