import { useInput } from 'ink';
import { useCallback, useReducer, useRef } from 'react';
import type { StoredMessage } from '../../net/protocol/frames.ts';
import {
  closedSearch,
  type SearchQuery,
  type SearchView,
  searchErrorLine,
  searchReducer,
} from '../search/search-state.ts';
import type { Searcher } from '../search/searcher.ts';
import { usePasteGate } from './use-paste-gate.ts';

/** Results one PageUp/PageDown moves in the overlay. */
const PAGE = 5;

/** What {@link useSearch} gives the app. */
export type SearchControl = {
  view: SearchView;
  /** Opens the overlay and asks the server. */
  open: (query: SearchQuery) => void;
};

/**
 * The search overlay's state and keys: `open` asks `searcher` (the
 * `ChatClient`); while open, Up/Down (and
 * PageUp/PageDown) choose a result, Enter gives it to `onPick` and closes,
 * Esc closes. Keys reach the overlay only while it is open: give the input
 * line `focus: view.status === 'closed'`.
 */
export function useSearch(
  searcher: Searcher,
  onPick: (message: StoredMessage) => void,
): SearchControl {
  const [view, dispatch] = useReducer(searchReducer, closedSearch);
  const seq = useRef(0);
  const paste = usePasteGate();

  const open = useCallback(
    (query: SearchQuery) => {
      const mine = ++seq.current;
      dispatch({ type: 'start', query });
      searcher.search(query.text, query.room === undefined ? {} : { room: query.room }).then(
        ({ messages, more }) => dispatch({ type: 'answer', seq: mine, messages, more }),
        (error: unknown) => dispatch({ type: 'failed', seq: mine, error: searchErrorLine(error) }),
      );
    },
    [searcher],
  );

  useInput(
    (_text, key) => {
      if (paste.consumed()) return;
      if (key.escape) dispatch({ type: 'close' });
      else if (key.upArrow) dispatch({ type: 'move', by: -1 });
      else if (key.downArrow) dispatch({ type: 'move', by: 1 });
      else if (key.pageUp) dispatch({ type: 'move', by: -PAGE });
      else if (key.pageDown) dispatch({ type: 'move', by: PAGE });
      else if (key.return && view.status === 'results') {
        const message = view.messages[view.selected];
        dispatch({ type: 'close' });
        if (message !== undefined) onPick(message);
      } else if (key.return) dispatch({ type: 'close' });
    },
    { isActive: view.status !== 'closed' },
  );

  return { view, open };
}
