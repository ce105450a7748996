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
// everything from U+1F000 (tmux 3.3a on glibc 2.36 draws U+1FAE8, an emoji of
// Unicode 15, in 0 columns), regional indicators and skin-tone modifiers.
const UNSETTLED_BASE = /[\p{Extended_Pictographic}\p{Emoji_Presentation}\p{Emoji_Modifier}]/u;
const FIRST_UNSETTLED_PLANE_POINT = 0x1f000;
// Marks every terminal puts on the cell before: accents, Thai and Hebrew
// points. Spacing marks (Devanagari vowel signs) are not among them: some
// terminals give them a column of their own.
const NONSPACING_MARK = /^[\p{Mn}\p{Me}]$/u;

/**
 * Whether terminals agree with {@link graphemeWidth} on `cluster`: a single
 * character that is not an emoji, alone or with non-spacing marks. ZWJ
 * sequences, variation selectors, skin tones, flags and any emoji are not
 * settled (tmux 3.3a draws 👍🏽 in 4 columns and ❤️ in 1, where modern
 * terminals draw both in 2).
 */
export function widthIsSettled(cluster: string): boolean {
  if (cluster.length === 1 && isPrintableAscii(cluster.charCodeAt(0))) return true;
  const known = settledCache.get(cluster);
  if (known !== undefined) return known;
  const points = Array.from(cluster);
  const first = points[0] ?? '';
  const firstCode = first.codePointAt(0) ?? 0;
  const settled =
    firstCode < FIRST_UNSETTLED_PLANE_POINT &&
    !UNSETTLED_BASE.test(first) &&
    points.slice(1).every((point) => NONSPACING_MARK.test(point));
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
