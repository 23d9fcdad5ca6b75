/**
 * Captions for Fashion-MNIST images, generated from templates, synonyms of
 * the class names and a few attributes measured on the image itself (tone,
 * size, texture), so that a caption says more than the class and image–text
 * retrieval means something beyond classification. Tokenised with a small
 * closed word vocabulary.
 */
import type { Random } from '@seta/core';

/** Synonyms of each Fashion-MNIST class, in label order (multi-word names become several tokens). */
export const CLASS_SYNONYMS: readonly (readonly string[])[] = [
  ['t-shirt', 'tee', 'top', 'tank top'],
  ['trousers', 'pants', 'jeans', 'slacks'],
  ['pullover', 'sweater', 'jumper'],
  ['dress', 'gown', 'frock'],
  ['coat', 'jacket', 'parka'],
  ['sandal', 'flip flop', 'slipper'],
  ['shirt', 'blouse', 'button-up shirt'],
  ['sneaker', 'trainer', 'running shoe'],
  ['bag', 'handbag', 'purse', 'tote'],
  ['ankle boot', 'boot', 'bootie'],
];

/** Words for each attribute bucket (0 = low, 1 = middle, 2 = high). */
const TONE = ['dark', 'grey', 'pale'] as const;
const SIZE = ['small', 'medium', 'large'] as const;
const TEXTURE = ['plain', 'simple', 'patterned'] as const;

/** `{syn}` is the class word(s); `{tone}`, `{size}`, `{texture}` the attributes. */
const TEMPLATES: readonly string[] = [
  'a photo of a {tone} {syn}',
  'a {size} {tone} {syn}',
  'a {texture} {syn} in {tone} colours',
  'a picture of a {size} {syn}',
  'a {tone} {texture} {syn} on a black background',
  'product shot of a {size} {texture} {syn}',
  'an image of a {syn} that is {tone} and {size}',
  'a {syn}',
];

/** The templates that do not name the tone: the only ones a held-out class–tone pair is captioned with. */
const TONELESS_TEMPLATES: readonly string[] = TEMPLATES.filter((t) => !t.includes('{tone}'));

/** The templates prompt classification is built from (no attributes). */
const PROMPT_TEMPLATES: readonly string[] = ['a photo of a {syn}', 'a picture of a {syn}', 'a {syn}', 'an image of a {syn}'];

/** The templates of the class–tone prompts (compositional zero-shot evaluation). */
const PAIR_PROMPT_TEMPLATES: readonly string[] = ['a photo of a {tone} {syn}', 'a {tone} {syn}', 'a {syn} in {tone} colours'];

/** Number of tone buckets. */
export const TONES = TONE.length;

/**
 * The tone each class is never captioned with in training (class c: tone
 * c mod 3, so each tone is held out for three or four classes and seen with
 * the others). Images of a held-out pair stay in the training data; their
 * captions name the class but not the tone. The compositional zero-shot
 * evaluation asks for these pairs from their descriptions alone.
 */
export const HELD_OUT_TONE: readonly number[] = CLASS_SYNONYMS.map((_, c) => c % TONES);

/** Whether class `label` with tone bucket `tone` is a pair no training caption names. */
export function isHeldOutPair(label: number, tone: number): boolean {
  return HELD_OUT_TONE[label] === tone;
}

/** Attributes of one image, each a bucket 0, 1 or 2. */
export interface ImageAttributes {
  readonly tone: number;
  readonly size: number;
  readonly texture: number;
}

/** Raw attribute measurements of one 8-bit grayscale image. */
export interface AttributeMeasures {
  /** Mean intensity of the object's pixels (> 20), 0 … 255. */
  readonly tone: number;
  /** Share of the image the object covers. */
  readonly size: number;
  /** Standard deviation of the object's intensities. */
  readonly texture: number;
}

const OBJECT_THRESHOLD = 20;

/** Measure tone, size and texture of the image at `offset` (`pixels` bytes). O(pixels). */
export function measureImage(images: Uint8Array, offset: number, pixels: number): AttributeMeasures {
  let n = 0;
  let sum = 0;
  let sumSq = 0;
  for (let i = offset; i < offset + pixels; i++) {
    const v = images[i]!;
    if (v > OBJECT_THRESHOLD) {
      n++;
      sum += v;
      sumSq += v * v;
    }
  }
  if (n === 0) return { tone: 0, size: 0, texture: 0 };
  const mean = sum / n;
  return { tone: mean, size: n / pixels, texture: Math.sqrt(Math.max(0, sumSq / n - mean * mean)) };
}

/** Tertile cut points of each measure, so that each bucket holds about a third of the images. */
export interface AttributeCuts {
  readonly tone: readonly [number, number];
  readonly size: readonly [number, number];
  readonly texture: readonly [number, number];
}

function tertiles(values: Float64Array): [number, number] {
  const sorted = Float64Array.from(values).sort();
  return [sorted[Math.floor(sorted.length / 3)]!, sorted[Math.floor((2 * sorted.length) / 3)]!];
}

/** The tertile cuts of the measures over `count` images (computed once on the training set, used for every split). */
export function attributeCuts(images: Uint8Array, count: number, pixels: number): AttributeCuts {
  if (count < 3) throw new RangeError(`attributeCuts(): need at least 3 images, got ${count}`);
  const tone = new Float64Array(count);
  const size = new Float64Array(count);
  const texture = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const m = measureImage(images, i * pixels, pixels);
    tone[i] = m.tone;
    size[i] = m.size;
    texture[i] = m.texture;
  }
  return { tone: tertiles(tone), size: tertiles(size), texture: tertiles(texture) };
}

const bucket = (x: number, cuts: readonly [number, number]) => (x < cuts[0] ? 0 : x < cuts[1] ? 1 : 2);

/** An image's attribute buckets. */
export function imageAttributes(images: Uint8Array, offset: number, pixels: number, cuts: AttributeCuts): ImageAttributes {
  const m = measureImage(images, offset, pixels);
  return { tone: bucket(m.tone, cuts.tone), size: bucket(m.size, cuts.size), texture: bucket(m.texture, cuts.texture) };
}

function fill(template: string, syn: string, a: ImageAttributes): string {
  return template
    .replace('{syn}', syn)
    .replace('{tone}', TONE[a.tone]!)
    .replace('{size}', SIZE[a.size]!)
    .replace('{texture}', TEXTURE[a.texture]!);
}

/**
 * A caption of class `label` with attributes `a`: a random template and a
 * random synonym drawn from `rng`. With `holdOut`, a held-out class–tone
 * pair ({@link isHeldOutPair}) gets a template that does not name the tone.
 */
export function caption(label: number, a: ImageAttributes, rng: Random, options: { readonly holdOut?: boolean } = {}): string {
  const synonyms = CLASS_SYNONYMS[label];
  if (synonyms === undefined) throw new RangeError(`caption(): label must be a class in 0 … ${CLASS_SYNONYMS.length - 1}, got ${label}`);
  const templates = options.holdOut === true && isHeldOutPair(label, a.tone) ? TONELESS_TEMPLATES : TEMPLATES;
  return fill(templates[rng.nextInt(templates.length)]!, synonyms[rng.nextInt(synonyms.length)]!, a);
}

/** The prompts of class `label` with tone bucket `tone`: every pair template with every synonym. */
export function pairPrompts(label: number, tone: number): string[] {
  const synonyms = CLASS_SYNONYMS[label];
  if (synonyms === undefined) throw new RangeError(`pairPrompts(): label must be a class in 0 … ${CLASS_SYNONYMS.length - 1}, got ${label}`);
  const word = TONE[tone];
  if (word === undefined) throw new RangeError(`pairPrompts(): tone must be a bucket in 0 … ${TONES - 1}, got ${tone}`);
  return PAIR_PROMPT_TEMPLATES.flatMap((t) => synonyms.map((s) => t.replace('{syn}', s).replace('{tone}', word)));
}

/** The tone words, by bucket. */
export const TONE_WORDS: readonly string[] = TONE;

/** The prompt-classification prompts of class `label`: every prompt template with every synonym. */
export function classPrompts(label: number): string[] {
  const synonyms = CLASS_SYNONYMS[label];
  if (synonyms === undefined) throw new RangeError(`classPrompts(): label must be a class in 0 … ${CLASS_SYNONYMS.length - 1}, got ${label}`);
  return PROMPT_TEMPLATES.flatMap((t) => synonyms.map((s) => t.replace('{syn}', s)));
}

/** Lower-case words: letters, digits and inner hyphens. */
export function words(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9]+(?:-[a-z0-9]+)*/g) ?? [];
}

/**
 * A closed word vocabulary: every word the templates, attributes and synonyms
 * can produce, sorted, plus `<unk>` at id 0 for anything else.
 */
export class Vocabulary {
  readonly words: readonly string[];
  private readonly ids: ReadonlyMap<string, number>;

  constructor() {
    const all = new Set<string>();
    const add = (s: string) => words(s).forEach((w) => all.add(w));
    for (const t of [...TEMPLATES, ...PROMPT_TEMPLATES, ...PAIR_PROMPT_TEMPLATES]) add(t.replace(/\{[a-z]+\}/g, ' '));
    for (const w of [...TONE, ...SIZE, ...TEXTURE]) add(w);
    for (const syns of CLASS_SYNONYMS) syns.forEach(add);
    this.words = ['<unk>', ...[...all].sort()];
    this.ids = new Map(this.words.map((w, i) => [w, i]));
  }

  get size(): number {
    return this.words.length;
  }

  /** Token ids of `text` (unknown words → 0). */
  encode(text: string): number[] {
    return words(text).map((w) => this.ids.get(w) ?? 0);
  }

  /**
   * Bag of words of `text` written into `out` at `offset`: each token adds
   * 1 / (number of tokens), so a caption's row sums to 1 (mean pooling of
   * word embeddings when multiplied by an embedding matrix).
   */
  bagOfWords(text: string, out: Float32Array, offset = 0): void {
    const tokens = this.encode(text);
    out.fill(0, offset, offset + this.size);
    for (const t of tokens) out[offset + t]! += 1 / tokens.length;
  }
}
