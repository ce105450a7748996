import { memo, type ReactNode, useMemo } from 'react';
import type { Conversation, Line, Pending, ScrollState } from '../state/chat-types.ts';
import type { ClockFormat } from '../text/time.ts';
import { visibleRows } from './message-rows.ts';
import { Rows } from './Rows.tsx';
import type { RowSpans } from './spans.ts';

/** Props of {@link MessagePane}. */
export type MessagePaneProps = {
  /** The conversation on screen; none shows a hint. */
  conversation: Conversation | undefined;
  /** The user's unacknowledged messages to it, in send order. */
  pending: readonly Pending[];
  scroll: ScrollState;
  /** Columns. */
  width: number;
  /** Rows. */
  height: number;
  /** IANA zone for `HH:MM`; undefined: the machine's. */
  timeZone?: string | undefined;
  /** How times are written (the `timestamps` setting; default HH:MM). */
  clock?: ClockFormat | undefined;
  /** A message drawn reversed for a moment (where a search jumped), by id. */
  flashId?: number | undefined;
  /** The user's name, shown on pending messages. */
  user?: string | undefined;
  /** The line the "new since you left" rule goes above, if any. */
  marked?: Line | undefined;
};

function hintRows(height: number): RowSpans[] {
  const rows: RowSpans[] = [];
  for (let row = 0; row < height; row++) rows.push([]);
  if (height > 0) rows[height - 1] = [{ text: 'No conversation: /join #room to start', dim: true }];
  return rows;
}

/**
 * The messages of one conversation, newest at the bottom, windowed: only
 * the rows that fit in `height` are built and drawn (see `visibleRows`).
 * Every row is a truncating Text exactly one row tall.
 */
export const MessagePane = memo(function MessagePane(props: MessagePaneProps): ReactNode {
  const { conversation, pending, scroll, width, height, timeZone, clock, flashId, user, marked } =
    props;
  const rows = useMemo(
    () =>
      conversation === undefined
        ? hintRows(Math.max(0, height))
        : visibleRows({
            lines: conversation.lines,
            pending,
            scroll,
            width,
            height,
            timeZone,
            clock,
            flashId,
            user,
            hasMore: conversation.hasMore,
            marked,
          }),
    [conversation, pending, scroll, width, height, timeZone, clock, flashId, user, marked],
  );
  return <Rows rows={rows} width={width} height={height} />;
});
