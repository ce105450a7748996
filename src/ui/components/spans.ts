/**
 * Styled runs of text for one screen row, and fitting them to a width. Pure:
 * the components turn spans into Ink `<Text>`; nothing here draws.
 */
import { displayWidth, truncate } from '../text/wrap.ts';

/** A run of text with one style, part of one row. `text` is neutralized, one line. */
export type Span = {
  readonly text: string;
  /** An Ink colour name. */
  readonly color?: string;
  readonly bold?: boolean;
  readonly dim?: boolean;
  readonly italic?: boolean;
  readonly inverse?: boolean;
  /**
   * An OSC 8 hyperlink's target, drawn around `text`: a whole URL of which
   * `text` is a part (see `link-spans.ts`). Never set on text cut short.
   */
  readonly link?: string;
};

/** One screen row: spans drawn left to right. */
export type RowSpans = readonly Span[];

/** Display width of a row in columns. */
export function spansWidth(spans: RowSpans): number {
  let width = 0;
  for (const span of spans) width += displayWidth(span.text);
  return width;
}

/** `span` as plain text, in the same style. */
export function unlinked(span: Span): Span {
  if (span.link === undefined) return span;
  const { link: _, ...rest } = span;
  return rest;
}

/**
 * Cuts `spans` to at most `width` columns (the span that crosses the edge
 * ends with '…', and is no link: its target would go further than what
 * shows); with `pad`, adds spaces so the row is exactly `width` columns.
 */
export function fitSpans(spans: RowSpans, width: number, pad = false): Span[] {
  const columns = Math.max(0, Math.floor(width));
  const out: Span[] = [];
  let used = 0;
  for (const span of spans) {
    const spanWidth = displayWidth(span.text);
    if (used + spanWidth <= columns) {
      out.push(span);
      used += spanWidth;
      continue;
    }
    const cut = truncate(span.text, columns - used);
    if (cut !== '') out.push({ ...unlinked(span), text: cut });
    used += displayWidth(cut);
    break;
  }
  if (pad && used < columns) out.push({ text: ' '.repeat(columns - used) });
  return out;
}
