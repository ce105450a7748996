import { Text } from 'ink';
import type { ReactNode } from 'react';
import { useColor } from '../hooks/use-color.ts';
import { hyperlink } from '../text/links.ts';
import { fitSpans, type RowSpans, type Span } from './spans.ts';

/** Props of {@link Row}. */
export type RowProps = {
  spans: RowSpans;
  /** Columns the row may take. */
  width: number;
  /** Fill the row to `width` with spaces (for rows with a background). */
  pad?: boolean;
  /** Applied to the whole row, padding included. */
  inverse?: boolean;
};

function styled(
  span: Span,
  key: number,
  tint: (color: string | undefined) => string | undefined,
): ReactNode {
  return (
    <Text
      key={key}
      color={tint(span.color)}
      bold={span.bold}
      dimColor={span.dim}
      italic={span.italic}
      inverse={span.inverse}
    >
      {span.link === undefined ? span.text : hyperlink(span.link, span.text)}
    </Text>
  );
}

/**
 * One row of styled spans, fitted to `width` before Ink sees it, and drawn
 * with `wrap="truncate"` so Ink never wraps it onto a second row. Colours
 * are left out where colour is off (see `ColorContext`). A span's `link`
 * becomes an OSC 8 hyperlink here, at the last moment: it takes no column
 * (Ink measures with string-width, which skips it), and since Ink never has
 * to cut the fitted row, never outlives the text it was made for.
 */
export function Row({ spans, width, pad = false, inverse = false }: RowProps): ReactNode {
  const tint = useColor();
  const fitted = fitSpans(spans, width, pad);
  // An empty Text takes no row in Ink's layout: keep one column.
  if (fitted.length === 0) return <Text wrap="truncate"> </Text>;
  return (
    <Text wrap="truncate" inverse={inverse}>
      {fitted.map((span, key) => styled(span, key, tint))}
    </Text>
  );
}
