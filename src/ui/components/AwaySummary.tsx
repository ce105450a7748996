import { Box } from 'ink';
import { memo, type ReactNode } from 'react';
import { useColor } from '../hooks/use-color.ts';
import type { AwaySummary as Summary } from '../state/chat-types.ts';
import { awaySummaryRows } from './away-summary-rows.ts';
import { Rows } from './Rows.tsx';

/** Props of {@link AwaySummary}. */
export type AwaySummaryProps = {
  summary: Summary;
  /** Columns of the box, border included. */
  width: number;
  /** Rows of the box, border included. */
  height: number;
  /** IANA zone for times; undefined: the machine's. */
  timeZone?: string | undefined;
};

/** A border needs this many rows and columns, or the box goes without one. */
const BORDER_MIN_ROWS = 8;
const BORDER_MIN_COLUMNS = 30;

/** What happened while the user was away, in a box over the message pane (rows from `awaySummaryRows`). */
export const AwaySummary = memo(function AwaySummary({
  summary,
  width,
  height,
  timeZone,
}: AwaySummaryProps): ReactNode {
  const tint = useColor();
  const border = height >= BORDER_MIN_ROWS && width >= BORDER_MIN_COLUMNS;
  // A border takes a column and a row on each side, the padding a column.
  const inner = Math.max(1, width - (border ? 4 : 0));
  const rows = awaySummaryRows(summary, inner, Math.max(0, height - (border ? 2 : 0)), timeZone);
  if (!border) return <Rows rows={rows} width={width} height={height} />;
  return (
    <Box
      width={width}
      height={Math.max(0, height)}
      flexShrink={0}
      overflow="hidden"
      borderStyle="round"
      borderColor={tint('yellow')}
      paddingX={1}
    >
      <Rows rows={rows} width={inner} />
    </Box>
  );
});
