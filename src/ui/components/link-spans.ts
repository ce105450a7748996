/**
 * Marks the links of a message's text on the rows it was wrapped into. Pure.
 * A URL wrapped over several rows is a link on each of them, to the whole
 * URL: every part of it is on screen. A row that loses some of a URL's parts
 * (cut off at the pane's top or bottom) loses the link: a link never goes
 * further than what is shown.
 */
import { findLinks } from '../text/links.ts';
import { type RowSpans, type Span, unlinked } from './spans.ts';

type Style = Omit<Span, 'text' | 'link'>;

// Where `part` starts in `text`, at or after `from`, past only the spaces and
// line breaks that wrapping dropped; -1 if it is not there (a character too
// wide for the row was shown as '…').
function partStart(text: string, part: string, from: number): number {
  for (let at = from; at <= text.length; at++) {
    if (text.startsWith(part, at)) return at;
    const skipped = text.charAt(at);
    if (skipped !== ' ' && skipped !== '\n') return -1;
  }
  return -1;
}

/**
 * One row of spans in `style` per part of `parts` (what `wrapText(text, …)`
 * gave), the links of `text` (see `findLinks`) as spans of their own with
 * `link` set to the whole URL.
 */
export function linkedParts(text: string, parts: readonly string[], style: Style): Span[][] {
  const plain = (part: string): Span[] => [{ ...style, text: part }];
  const links = findLinks(text);
  if (links.length === 0) return parts.map(plain);
  const rows: Span[][] = [];
  let from = 0;
  for (const [index, part] of parts.entries()) {
    const start = partStart(text, part, from);
    if (start < 0) return [...rows, ...parts.slice(index).map(plain)];
    const end = start + part.length;
    from = end;
    const row: Span[] = [];
    let at = start;
    for (const link of links) {
      if (link.end <= at || link.start >= end) continue;
      const linkStart = Math.max(link.start, at);
      const linkEnd = Math.min(link.end, end);
      if (linkStart > at) row.push({ ...style, text: text.slice(at, linkStart) });
      row.push({ ...style, text: text.slice(linkStart, linkEnd), link: link.url });
      at = linkEnd;
    }
    if (at < end || row.length === 0) row.push({ ...style, text: text.slice(at, end) });
    rows.push(row);
  }
  return rows;
}

function targets(rows: readonly RowSpans[]): Set<string> {
  const found = new Set<string>();
  for (const row of rows) for (const span of row) if (span.link !== undefined) found.add(span.link);
  return found;
}

/**
 * `kept`, the rows of one line left on screen when `dropped` (the others)
 * are cut off, without the links that also have a part in `dropped`.
 */
export function keepWholeLinks(
  kept: readonly RowSpans[],
  dropped: readonly RowSpans[],
): RowSpans[] {
  const cut = targets(dropped);
  if (cut.size === 0) return [...kept];
  return kept.map((row) =>
    row.map((span) => (span.link !== undefined && cut.has(span.link) ? unlinked(span) : span)),
  );
}
