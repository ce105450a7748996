/**
 * What a mouse report does on the chat screen: which room, user or pane is
 * under a click (rows and columns as the screen lays them out, see
 * `screenLayout`, `RoomList`, `UserList`), and the command it gives. Pure.
 */
import {
  roomListStart,
  SIDE_SEPARATOR_COLUMNS,
  USER_LIST_HEADER_ROWS,
  userListShown,
} from '../components/side-lists.ts';
import type { MouseReport } from '../input/mouse.ts';
import { conversationList, currentMembers } from '../state/chat-selectors.ts';
import type { ChatState } from '../state/chat-types.ts';
import type { ScreenLayout } from './ChatScreen.tsx';

/** Rows one notch of the wheel scrolls the message pane (or the help). */
export const WHEEL_ROWS = 3;

/** What is under the pointer: a room (or DM) of the room list, a user of the user list, the message pane. */
export type MouseTarget =
  | { readonly kind: 'room'; readonly name: string }
  | { readonly kind: 'user'; readonly name: string }
  | { readonly kind: 'pane' };

/**
 * What is at column `x`, row `y` (from 1, as the terminal reports them) of
 * a screen laid out as `layout` showing `state`; undefined for the status
 * bar, the notice and input rows, the separators, the user list's header
 * and `+N more` row, and rows with no item.
 */
export function hitTest(
  layout: ScreenLayout,
  state: ChatState,
  x: number,
  y: number,
): MouseTarget | undefined {
  const column = x - 1;
  const row = y - 1 - (layout.status ? 1 : 0);
  if (row < 0 || row >= layout.middle || column < 0 || column >= layout.width) return undefined;
  if (column < layout.roomWidth) {
    if (column >= layout.roomWidth - SIDE_SEPARATOR_COLUMNS) return undefined;
    const items = conversationList(state);
    const current = items.findIndex((item) => item.isCurrent);
    const item = items[roomListStart(items.length, current, layout.middle) + row];
    return item === undefined ? undefined : { kind: 'room', name: item.name };
  }
  const users = layout.roomWidth + layout.paneWidth;
  if (column < users) return { kind: 'pane' };
  if (column < users + SIDE_SEPARATOR_COLUMNS) return undefined;
  const members = currentMembers(state);
  const index = row - USER_LIST_HEADER_ROWS;
  if (index < 0 || index >= userListShown(members.length, layout.middle)) return undefined;
  const member = members[index];
  return member === undefined ? undefined : { kind: 'user', name: member.user };
}

/** What a mouse report asks of the screen. */
export type MouseCommand =
  /** Scroll the message pane `by` rows (positive: back in time), as PageUp does by pages. */
  | { readonly kind: 'scroll'; readonly by: number }
  /** Scroll the help `by` rows (positive: down). */
  | { readonly kind: 'scrollHelp'; readonly by: number }
  /** Show that room or DM window. */
  | { readonly kind: 'switchTo'; readonly name: string }
  /** Open (or show) the DM window with that user, as `/query` does. */
  | { readonly kind: 'openDm'; readonly peer: string };

/** What covers the pane, as for the screen's keys (see `useScreenKeys`). */
export type MouseCover = {
  /** The search results or the away summary: no scrolling, no switching under them. */
  readonly paneCovered?: boolean;
  /** The help: the wheel scrolls it. */
  readonly helpShows?: boolean;
};

/**
 * The command of one report: a wheel notch anywhere on the screen scrolls
 * the pane (or the help over it) {@link WHEEL_ROWS} rows; a plain left
 * press on a room switches to it, on another user opens the DM window with
 * them. Releases, other buttons, clicks with Ctrl or Alt, and clicks on
 * anything else do nothing.
 */
export function mouseCommand(
  report: MouseReport,
  layout: ScreenLayout,
  state: ChatState,
  cover: MouseCover = {},
): MouseCommand | undefined {
  if (report.release || report.motion) return undefined;
  if (report.button === 'wheelUp' || report.button === 'wheelDown') {
    const up = report.button === 'wheelUp';
    if (cover.helpShows) return { kind: 'scrollHelp', by: up ? -WHEEL_ROWS : WHEEL_ROWS };
    if (cover.paneCovered) return undefined;
    return { kind: 'scroll', by: up ? WHEEL_ROWS : -WHEEL_ROWS };
  }
  if (report.button !== 'left' || report.ctrl || report.alt || cover.paneCovered) return undefined;
  const target = hitTest(layout, state, report.x, report.y);
  if (target?.kind === 'room') return { kind: 'switchTo', name: target.name };
  if (target?.kind === 'user' && target.name !== state.connection.user) {
    return { kind: 'openDm', peer: target.name };
  }
  return undefined;
}
