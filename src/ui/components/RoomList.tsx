import { Box } from 'ink';
import { memo, type ReactNode } from 'react';
import type { ConversationListItem } from '../state/chat-selectors.ts';
import { displayWidth, padEnd, truncate } from '../text/wrap.ts';
import { Row } from './Row.tsx';
import { roomListStart } from './side-lists.ts';
import { type Span, spansWidth } from './spans.ts';

/** Props of {@link RoomList}. */
export type RoomListProps = {
  items: readonly ConversationListItem[];
  /** Columns, the separator on the right (and a blank column after it) included. */
  width: number;
  /** Rows. */
  height: number;
};

/** Unread counts above this show as `99+`. */
const MAX_SHOWN_UNREAD = 99;

function unreadText(item: ConversationListItem): string {
  const count = item.unread > MAX_SHOWN_UNREAD ? `${MAX_SHOWN_UNREAD}+` : String(item.unread);
  if (item.unread > 0) return item.mention ? `${count}!` : count;
  return item.mention ? '!' : '';
}

/**
 * One entry, `inner` columns wide: `1 #general    3!`. The number is the
 * Alt+digit that jumps there (blank from 10 on).
 */
export function roomSpans(item: ConversationListItem, inner: number): Span[] {
  const number = item.index <= 9 ? String(item.index) : ' ';
  const count = unreadText(item);
  const countWidth = count === '' ? 0 : displayWidth(count) + 1;
  const name = padEnd(truncate(item.name, inner - 2 - countWidth), inner - 2 - countWidth);
  const busy = item.unread > 0 || item.mention;
  const color = item.mention ? 'yellow' : undefined;
  const base = { inverse: item.isCurrent };
  const spans: Span[] = [
    { ...base, text: `${number} `, dim: !item.isCurrent },
    { ...base, text: name, bold: busy || item.isCurrent, ...(color ? { color } : {}) },
  ];
  if (count !== '') {
    spans.push({ ...base, text: ` ${count}`, bold: true, ...(color ? { color } : {}) });
  }
  return spans;
}

/**
 * The left column: rooms then direct conversations, numbered for Alt+1..9,
 * with unread counts and a mention mark ('!' in yellow); the current one is
 * shown inverse. A dim '│' and a blank column separate it from the messages.
 */
export const RoomList = memo(function RoomList({ items, width, height }: RoomListProps): ReactNode {
  const inner = Math.max(0, width - 2);
  const rows = Math.max(0, height);
  const start = roomListStart(
    items.length,
    items.findIndex((item) => item.isCurrent),
    rows,
  );
  const separator: Span = { text: '│ ', dim: true };
  const blank: Span[] =
    items.length === 0 ? [{ text: padEnd(truncate('no rooms', inner), inner), dim: true }] : [];
  const out: ReactNode[] = [];
  for (let row = 0; row < rows; row++) {
    const item = items[start + row];
    const spans = item === undefined ? (row === 0 ? blank : []) : roomSpans(item, inner);
    const filler: Span = { text: ' '.repeat(Math.max(0, inner - spansWidth(spans))) };
    out.push(<Row key={row} spans={[...spans, filler, separator]} width={width} />);
  }
  return (
    <Box flexDirection="column" width={width} height={rows} flexShrink={0} overflow="hidden">
      {out}
    </Box>
  );
});
