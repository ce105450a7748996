import { memo, type ReactNode } from 'react';
import { searchRows } from '../search/search-rows.ts';
import type { SearchView } from '../search/search-state.ts';
import type { ClockFormat } from '../text/time.ts';
import { OverlayBox } from './OverlayBox.tsx';

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

/** /search: the results in a box over the message pane, fitted to its size (see `searchRows`). */
export const SearchOverlay = memo(function SearchOverlay(props: SearchOverlayProps): ReactNode {
  const { view, me, width, height, timeZone, clock } = props;
  return (
    <OverlayBox
      width={width}
      height={height}
      color="cyan"
      borderMinRows={6}
      rowsFor={(inner) => searchRows({ view, me, ...inner, timeZone, clock })}
    />
  );
});
