import { useMouse } from '../hooks/use-mouse.ts';
import type { ChatAction, ChatState } from '../state/chat-types.ts';
import type { ScreenLayout } from './ChatScreen.tsx';
import { type MouseCover, mouseCommand } from './mouse-hit.ts';

/** What the mouse acts on (see `mouseCommand`). */
export type ScreenMouseTargets = MouseCover & {
  /** The `mouse` setting: reports are asked for only while it is on. */
  on: boolean;
  /** The screen as drawn now. */
  layout: ScreenLayout;
  state: ChatState;
  dispatch: (action: ChatAction) => void;
  /** Scrolls the message pane `by` rows (positive: back in time), as the screen's keys do. */
  scroll: (by: number) => void;
  /** Scrolls the help `by` rows (positive: down). */
  scrollHelp: (by: number) => void;
};

/**
 * The chat screen's mouse, while the `mouse` setting is on: the wheel
 * scrolls the pane (or the help), a click on a room shows it, a click on a
 * user opens the DM window with them.
 */
export function useScreenMouse(targets: ScreenMouseTargets): void {
  useMouse(targets.on, (report) => {
    const command = mouseCommand(report, targets.layout, targets.state, targets);
    switch (command?.kind) {
      case 'scroll':
        targets.scroll(command.by);
        return;
      case 'scrollHelp':
        targets.scrollHelp(command.by);
        return;
      case 'switchTo':
        targets.dispatch({ type: 'switchTo', name: command.name });
        return;
      case 'openDm':
        targets.dispatch({ type: 'openDm', peer: command.peer });
        return;
    }
  });
}
