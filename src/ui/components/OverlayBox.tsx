import { Box } from 'ink';
import type { ReactNode } from 'react';
import { useColor } from '../hooks/use-color.ts';
import { Rows } from './Rows.tsx';
import type { RowSpans } from './spans.ts';

/** Props of {@link OverlayBox}. */
export type OverlayBoxProps = {
  /** Columns of the box, border included. */
  width: number;
  /** Rows of the box, border included. */
  height: number;
  /** The border's colour. */
  color: string;
  /** Fewer rows than this and the box goes without a border (default 8). */
  borderMinRows?: number;
  /** The rows inside, for the room the border leaves them. */
  rowsFor: (inner: { width: number; height: number }) => RowSpans[];
};

/** A border needs at least this many columns, or the box goes without one. */
const BORDER_MIN_COLUMNS = 30;

/**
 * Whether a box `width` x `height` (border included) gets a border, and
 * the columns and rows left inside it for the rows: what `rowsFor` is
 * given, for an overlay that scrolls to know its room before it draws.
 */
export function overlayInner(
  width: number,
  height: number,
  borderMinRows = 8,
): { border: boolean; width: number; height: number } {
  const border = height >= borderMinRows && width >= BORDER_MIN_COLUMNS;
  // A border takes a column and a row on each side, the padding a column.
  return {
    border,
    width: Math.max(1, width - (border ? 4 : 0)),
    height: Math.max(0, height - (border ? 2 : 0)),
  };
}

/**
 * The box the overlays (help, search, the away summary) are drawn in over
 * the message pane: a round border with a column of padding when there is
 * room for one, the bare rows when there is not.
 */
export function OverlayBox(props: OverlayBoxProps): ReactNode {
  const { width, height, color, borderMinRows = 8, rowsFor } = props;
  const tint = useColor();
  const { border, ...inner } = overlayInner(width, height, borderMinRows);
  const rows = rowsFor(inner);
  if (!border) return <Rows rows={rows} width={width} height={height} />;
  return (
    <Box
      width={width}
      height={Math.max(0, height)}
      flexShrink={0}
      overflow="hidden"
      borderStyle="round"
      borderColor={tint(color)}
      paddingX={1}
    >
      <Rows rows={rows} width={inner.width} height={inner.height} />
    </Box>
  );
}
