/**
 * Which item each row of the side lists shows, for their components and for
 * the mouse (`tui/mouse-hit.ts`), so a click lands on what is drawn. Pure.
 */

/**
 * The room list's first item shown (an index into the items) so that the
 * current one is in view, for `count` items in `height` rows; `current` is
 * the current item's index, or -1.
 */
export function roomListStart(count: number, current: number, height: number): number {
  if (count <= height) return 0;
  return Math.max(0, Math.min(count - height, Math.max(0, current) - Math.floor(height / 2)));
}

/** Columns of the separator beside each side list (`│ ` right of the rooms, ` │` left of the users). */
export const SIDE_SEPARATOR_COLUMNS = 2;

/** Rows of the user list above its first member (the count header). */
export const USER_LIST_HEADER_ROWS = 1;

/**
 * How many members the user list shows in `height` rows (header included):
 * all when they fit, else one row fewer, for the `+N more` row.
 */
export function userListShown(count: number, height: number): number {
  const room = Math.max(0, height) - (height > 0 ? USER_LIST_HEADER_ROWS : 0);
  return count > room ? Math.max(0, room - 1) : count;
}
