import { useInput } from 'ink';
import { usePasteGate } from '../hooks/use-paste-gate.ts';
import { commandFor } from '../input/key-bindings.ts';
import { SCREEN_KEYMAP, type ScreenCommand } from '../input/keymap.ts';
import type { ChatAction } from '../state/chat-types.ts';

/** What the screen's keys act on. */
export type ScreenKeyTargets = {
  dispatch: (action: ChatAction) => void;
  /** Scrolls the message pane `by` rows (positive: back in time). */
  scroll: (by: number) => void;
  /** Rows that PageUp/PageDown move. */
  page: number;
  /** The draft now, rendered or not. */
  draft: () => string;
  clearDraft: () => void;
  quit: () => void;
  redraw: () => void;
  /**
   * An overlay (search results, the away summary) covers the pane: the keys
   * that would scroll it or change the conversation under it do nothing.
   */
  paneCovered?: boolean;
  /**
   * The help shows over the pane and scrolls itself (`useHelpKeys`): the
   * keys that would scroll the pane under it are the help's; the rest act.
   */
  helpShows?: boolean;
};

/** The screen commands that scroll the message pane. */
const PANE_SCROLL: ReadonlySet<ScreenCommand> = new Set<ScreenCommand>([
  'scrollUp',
  'scrollDown',
  'scrollToBottom',
]);

/** The screen commands that act on the message pane or the current conversation. */
const PANE_COMMANDS: ReadonlySet<ScreenCommand> = new Set<ScreenCommand>([
  'scrollUp',
  'scrollDown',
  'scrollToBottom',
  'nextRoom',
  'previousRoom',
  'jumpToRoom',
  'nextActivity',
]);

function runScreenCommand(to: ScreenKeyTargets, command: ScreenCommand, text: string): void {
  switch (command) {
    case 'clearOrQuit':
      if (to.draft() === '') to.quit();
      else to.clearDraft();
      return;
    case 'closeHelp':
      to.dispatch({ type: 'closeHelp' });
      return;
    case 'scrollUp':
      to.scroll(to.page);
      return;
    case 'scrollDown':
      to.scroll(-to.page);
      return;
    case 'scrollToBottom':
      to.dispatch({ type: 'scrollToBottom' });
      return;
    case 'nextRoom':
      to.dispatch({ type: 'nextConversation' });
      return;
    case 'previousRoom':
      to.dispatch({ type: 'previousConversation' });
      return;
    case 'jumpToRoom':
      to.dispatch({ type: 'jumpToNumber', number: Number(text) });
      return;
    case 'nextActivity':
      to.dispatch({ type: 'nextActivity' });
      return;
    case 'redraw':
      to.redraw();
      return;
  }
}

/**
 * Binds the keys of the screen around the input line (`SCREEN_KEYMAP`:
 * scrolling, rooms, Esc, Ctrl+L, Ctrl+C). Pasted text, or the answer to
 * "paste N lines?", is no screen key.
 */
export function useScreenKeys(targets: ScreenKeyTargets): void {
  const paste = usePasteGate();
  useInput((text, key) => {
    if (paste.consumed()) return;
    const command = commandFor(SCREEN_KEYMAP, text, key);
    if (command === undefined) return;
    if (targets.paneCovered && PANE_COMMANDS.has(command)) return;
    if (targets.helpShows && PANE_SCROLL.has(command)) return;
    runScreenCommand(targets, command, text);
  });
}
