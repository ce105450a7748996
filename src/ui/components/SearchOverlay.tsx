import { Box } from 'ink';
import { memo, type ReactNode } from 'react';
import { useColor } from '../hooks/use-color.ts';
import { searchRows } from '../search/search-rows.ts';
import type { SearchView } from '../search/search-state.ts';
import type { ClockFormat } from '../text/time.ts';
import { Rows } from './Rows.tsx';

/** Props of {@link SearchOverlay}. */
export type SearchOverlayProps = {
  view: SearchView;
  /** The user, for naming DMs. */
  me: string | undefined;
  /** Columns of the box, border included. */
  width: number;
  /** Rows of the box, border included. */
  height: number;
  /** IANA zone for the times; undefined: the machine's. */
  timeZone?: string | undefined;
  clock?: ClockFormat | undefined;
};

/** A border needs this many rows and columns, or the box goes without one. */
const BORDER_MIN_ROWS = 6;
const BORDER_MIN_COLUMNS = 30;

/** /search: the results in a box over the message pane, fitted to its size (see `searchRows`). */
export const SearchOverlay = memo(function SearchOverlay(props: SearchOverlayProps): ReactNode {
  const { view, me, width, height, timeZone, clock } = props;
  const tint = useColor();
  const border = height >= BORDER_MIN_ROWS && width >= BORDER_MIN_COLUMNS;
  // A border takes a column and a row on each side, the padding a column.
  const inner = Math.max(1, width - (border ? 4 : 0));
  const innerHeight = Math.max(0, height - (border ? 2 : 0));
  const rows = searchRows({ view, me, width: inner, height: innerHeight, timeZone, clock });
  if (!border) return <Rows rows={rows} width={width} height={height} />;
  return (
    <Box
      width={width}
      height={Math.max(0, height)}
      flexShrink={0}
      overflow="hidden"
      borderStyle="round"
      borderColor={tint('cyan')}
      paddingX={1}
    >
      <Rows rows={rows} width={inner} height={innerHeight} />
    </Box>
  );
});
