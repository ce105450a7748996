/**
 * How many terminal columns a grapheme cluster takes, and whether terminals
 * agree on it. Widths are string-width's, because Ink lays every box out
 * with it: a frame is only right if this and Ink count the same. Where
 * terminals draw a cluster wider or narrower (ZWJ sequences, skin tones,
 * VS16, emoji newer than the terminal's tables), the screen writer places
 * the cursor itself after the cluster (see `screen/frame-diff.ts`), so the
 * columns after it stay where they were counted. Pure: no terminal, no I/O.
 */
import stringWidth from 'string-width';

/** One grapheme cluster and the columns it takes. */
export interface GraphemeCell {
  text: string;
  /** Columns (0, 1 or 2). */
  width: number;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function isPrintableAscii(code: number): boolean {
  return code >= 0x20 && code < 0x7f;
}

// string-width is slow per call and chat text repeats the same few clusters.
const widthCache = new Map<string, number>();
const settledCache = new Map<string, boolean>();
const CACHE_ENTRIES = 4096;

function remember<T>(cache: Map<string, T>, key: string, value: T): T {
  if (cache.size >= CACHE_ENTRIES) cache.clear();
  cache.set(key, value);
  return value;
}

/** Columns `cluster` takes as Ink counts them (string-width). */
export function graphemeWidth(cluster: string): number {
  if (cluster.length === 1 && isPrintableAscii(cluster.charCodeAt(0))) return 1;
  return widthCache.get(cluster) ?? remember(widthCache, cluster, stringWidth(cluster));
}

// A first code point whose width depends on the terminal's Unicode tables or
// emoji handling: pictographs (U+231A is 1 column before Unicode 9, 2 after),
// regional indicators and skin-tone modifiers.
const UNSETTLED_BASE = /[\p{Extended_Pictographic}\p{Emoji_Presentation}\p{Emoji_Modifier}]/u;
// Where one column is what every terminal draws: everything before the
// Miscellaneous Symbols and Arrows block (whose characters came in Unicode
// 4 to 13), and the halfwidth forms. A character a terminal's tables do not
// know yet, it may draw in 0 columns (tmux 3.3a on glibc 2.36 does, for the
// CJK strokes U+31E4 of Unicode 14 and U+2FFC of Unicode 15).
const SETTLED_NARROW: ReadonlyArray<readonly [number, number]> = [
  [0x20, 0x2aff],
  [0xff61, 0xffdc],
];
// Where two columns are: blocks complete long before today's terminals'
// tables (Unicode 8 and older), checked against tmux 3.3a.
const SETTLED_WIDE: ReadonlyArray<readonly [number, number]> = [
  [0x1100, 0x115f], // Hangul Jamo, leading consonants
  [0x2e80, 0x2ef3], // CJK Radicals Supplement
  [0x2f00, 0x2fd5], // Kangxi Radicals
  [0x3000, 0x303e], // CJK Symbols and Punctuation
  [0x3041, 0x30ff], // Hiragana, Katakana
  [0x3105, 0x312d], // Bopomofo
  [0x3131, 0x318e], // Hangul Compatibility Jamo
  [0x31c0, 0x31e3], // CJK Strokes (Unicode 5.1)
  [0x3400, 0x4db5], // CJK Extension A
  [0x4e00, 0x9fd5], // CJK Unified Ideographs (Unicode 8)
  [0xa960, 0xa97c], // Hangul Jamo Extended-A
  [0xac00, 0xd7a3], // Hangul Syllables
  [0xf900, 0xfa6d], // CJK Compatibility Ideographs
  [0xfe30, 0xfe4f], // CJK Compatibility Forms
  [0xff01, 0xff60], // Fullwidth Forms
  [0xffe0, 0xffe6],
];
// Marks every terminal puts on the cell before: accents, Thai and Hebrew
// points (in the BMP). Spacing marks (Devanagari vowel signs) are not among
// them: some terminals give them a column of their own.
const NONSPACING_MARK = /^[\p{Mn}\p{Me}]$/u;

function within(code: number, ranges: ReadonlyArray<readonly [number, number]>): boolean {
  return ranges.some(([first, last]) => code >= first && code <= last);
}

/**
 * Whether terminals agree with {@link graphemeWidth} on `cluster`: one
 * character of a long-established block, not an emoji, alone or with
 * non-spacing marks. ZWJ sequences, variation selectors, skin tones, flags,
 * emoji and characters newer than some terminal's tables are not settled
 * (tmux 3.3a draws 👍🏽 in 4 columns, ❤️ in 1, U+31E4 in 0, where modern
 * terminals draw them in 2).
 */
export function widthIsSettled(cluster: string): boolean {
  if (cluster.length === 1 && isPrintableAscii(cluster.charCodeAt(0))) return true;
  const known = settledCache.get(cluster);
  if (known !== undefined) return known;
  const points = Array.from(cluster);
  const first = points[0] ?? '';
  const code = first.codePointAt(0) ?? 0;
  const width = graphemeWidth(cluster);
  const settled =
    !UNSETTLED_BASE.test(first) &&
    (width === 1 ? within(code, SETTLED_NARROW) : width === 2 && within(code, SETTLED_WIDE)) &&
    points
      .slice(1)
      .every((point) => NONSPACING_MARK.test(point) && (point.codePointAt(0) ?? 0) < 0x10000);
  return remember(settledCache, cluster, settled);
}

/**
 * Splits `text` into grapheme clusters with their widths. Intl.Segmenter is
 * slow, so it only sees the runs around non-ASCII text: there is always a
 * cluster boundary between two printable ASCII characters (UAX #29), and no
 * other one is assumed.
 */
export function graphemeCells(text: string): GraphemeCell[] {
  const cells: GraphemeCell[] = [];
  let index = 0;
  while (index < text.length) {
    const code = text.charCodeAt(index);
    const last = index + 1 === text.length;
    if (isPrintableAscii(code) && (last || isPrintableAscii(text.charCodeAt(index + 1)))) {
      cells.push({ text: text.charAt(index), width: 1 });
      index++;
      continue;
    }
    let end = index + 1;
    while (
      end < text.length &&
      !(isPrintableAscii(text.charCodeAt(end - 1)) && isPrintableAscii(text.charCodeAt(end)))
    ) {
      end++;
    }
    for (const { segment } of segmenter.segment(text.slice(index, end))) {
      cells.push({ text: segment, width: graphemeWidth(segment) });
    }
    index = end;
  }
  return cells;
}
