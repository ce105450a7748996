import { useInput } from 'ink';
import type { ScrollWindow } from '../components/scroll-window.ts';
import { usePasteGate } from '../hooks/use-paste-gate.ts';
import { commandFor } from '../input/key-bindings.ts';
import { HELP_SCROLL_KEYMAP, type HelpCommand } from '../input/keymap.ts';

/** Rows a help key moves, for a help showing `window`: a row, a page, or to an end. */
export function helpScrollBy(command: HelpCommand, window: ScrollWindow): number {
  switch (command) {
    case 'helpLineUp':
      return -1;
    case 'helpLineDown':
      return 1;
    case 'helpPageUp':
      return -window.page;
    case 'helpPageDown':
      return window.page;
    case 'helpTop':
      return Number.NEGATIVE_INFINITY;
    case 'helpBottom':
      return Number.POSITIVE_INFINITY;
  }
}

/**
 * Binds the help's keys (`HELP_SCROLL_KEYMAP`) while it shows (`active`):
 * each scrolls it by {@link helpScrollBy} rows. `window` says where the
 * help stands now (see `helpScroll`), read at each key. Give the input
 * line and the screen's keys the same `active`: these keys are theirs
 * otherwise. Pasted text is no key.
 */
export function useHelpKeys(
  active: boolean,
  window: () => ScrollWindow,
  scroll: (by: number, maxTop: number) => void,
): void {
  const paste = usePasteGate();
  useInput(
    (text, key) => {
      if (paste.consumed()) return;
      const command = commandFor(HELP_SCROLL_KEYMAP, text, key);
      if (command === undefined) return;
      const now = window();
      scroll(helpScrollBy(command, now), now.maxTop);
    },
    { isActive: active },
  );
}
