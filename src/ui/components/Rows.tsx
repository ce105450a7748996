import { Box } from 'ink';
import type { ReactNode } from 'react';
import { Row } from './Row.tsx';
import type { RowSpans } from './spans.ts';

/** Props of {@link Rows}. */
export type RowsProps = {
  /** One entry per screen row, top to bottom. */
  rows: readonly RowSpans[];
  /** Columns. */
  width: number;
  /** Rows of the box; default: as many as `rows`. */
  height?: number;
};

/**
 * A pane of precomputed rows: a column box exactly `width` x `height`, each
 * row a {@link Row} cut to the width, so nothing wraps or overflows.
 */
export function Rows({ rows, width, height = rows.length }: RowsProps): ReactNode {
  return (
    <Box
      flexDirection="column"
      width={width}
      height={Math.max(0, height)}
      flexShrink={0}
      overflow="hidden"
    >
      {rows.map((spans, row) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: rows are positions on screen.
        <Row key={row} spans={spans} width={width} />
      ))}
    </Box>
  );
}
