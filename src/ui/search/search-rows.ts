/**
 * The search overlay's rows, as spans: a heading, one row per result
 * (conversation, day and time, sender, the text with the searched words
 * highlighted), the selected one reversed and kept in view. Pure.
 */
import type { StoredMessage } from '../../net/protocol/frames.ts';
import type { RowSpans, Span } from '../components/spans.ts';
import { neutralizeLine } from '../text/sanitize.ts';
import { type ClockFormat, clockTime, dayKey } from '../text/time.ts';
import { userColor } from '../text/user-color.ts';
import { padEnd, truncate } from '../text/wrap.ts';
import { conversationOfMessage, type SearchView } from './search-state.ts';

/** Columns the conversation name takes in a result row. */
const CONVERSATION_WIDTH = 12;
/** Columns a sender's name takes at most. */
const NICK_WIDTH = 12;
/** Characters shown before the first match when the text is cut to show it. */
const LEAD_CHARS = 16;
const HIGHLIGHT: Omit<Span, 'text'> = { color: 'yellow', bold: true };

/** The searched words, lower case, as the server matches them (split on white space). */
export function searchWords(text: string): string[] {
  return text
    .toLowerCase()
    .split(/\s+/)
    .filter((word) => word !== '');
}

/**
 * Where the words occur in `text`, ignoring case: sorted, overlapping ones
 * merged, as [start, end) in UTF-16 units.
 */
export function matchRanges(text: string, words: readonly string[]): Array<[number, number]> {
  const lower = text.toLowerCase();
  // Lower-casing can change the length (İ): then positions would not line up, so match as is.
  const haystack = lower.length === text.length ? lower : text;
  const found: Array<[number, number]> = [];
  for (const word of words) {
    if (word === '') continue;
    for (
      let at = haystack.indexOf(word);
      at !== -1;
      at = haystack.indexOf(word, at + word.length)
    ) {
      found.push([at, at + word.length]);
    }
  }
  found.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const range of found) {
    const last = merged.at(-1);
    if (last !== undefined && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else merged.push([range[0], range[1]]);
  }
  return merged;
}

/**
 * `text` as spans, the words highlighted. When the first match is further
 * in than `room` characters allow, the text starts a little before it,
 * after '…', so the match shows in a row cut to the pane.
 */
export function highlightSpans(text: string, words: readonly string[], room: number): Span[] {
  let shown = text;
  let ranges = matchRanges(shown, words);
  const first = ranges[0];
  if (first !== undefined && first[1] > room && first[0] > LEAD_CHARS) {
    const from = first[0] - LEAD_CHARS;
    shown = `…${text.slice(from)}`;
    ranges = matchRanges(shown, words);
  }
  const spans: Span[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (start > at) spans.push({ text: shown.slice(at, start) });
    spans.push({ ...HIGHLIGHT, text: shown.slice(start, end) });
    at = end;
  }
  if (at < shown.length) spans.push({ text: shown.slice(at) });
  return spans;
}

/** What the rows are built from. */
export type SearchRowsInput = {
  view: SearchView;
  /** The user, for naming a DM's conversation. */
  me: string | undefined;
  /** Columns inside the box. */
  width: number;
  /** Rows inside the box. */
  height: number;
  timeZone?: string | undefined;
  clock?: ClockFormat | undefined;
};

/** One result: `#general   12-06 09:05 <alice> the text`. */
export function resultRow(
  message: StoredMessage,
  input: Omit<SearchRowsInput, 'view' | 'height'>,
  words: readonly string[],
  selected: boolean,
): RowSpans {
  const conversation = padEnd(
    truncate(conversationOfMessage(message, input.me), CONVERSATION_WIDTH),
    CONVERSATION_WIDTH,
  );
  const when = `${dayKey(message.ts, input.timeZone).slice(5)} ${clockTime(message.ts, input.timeZone, input.clock)}`;
  const nick = truncate(message.from, NICK_WIDTH);
  const head: Span[] = [
    { text: `${conversation} `, bold: true },
    { text: `${when} `, dim: true },
    { text: message.action === true ? `* ${nick} ` : `<${nick}> `, color: userColor(message.from) },
  ];
  const used = head.reduce((sum, span) => sum + span.text.length, 0);
  const text = highlightSpans(neutralizeLine(message.text), words, input.width - used);
  const row = [...head, ...text];
  return selected ? row.map((span) => ({ ...span, inverse: true })) : row;
}

function heading(view: Exclude<SearchView, { status: 'closed' }>): RowSpans {
  const scope = view.query.room === undefined ? '' : ` in ${view.query.room}`;
  const what: Span = {
    text: `Search "${neutralizeLine(view.query.text)}"${scope}`,
    bold: true,
    color: 'cyan',
  };
  if (view.status !== 'results') return [what];
  const count = view.messages.length;
  const found = `${count}${view.more ? '+' : ''} result${count === 1 ? '' : 's'}`;
  return [what, { text: ` · ${found}`, dim: true }];
}

const KEYS: RowSpans = [{ text: '↑↓ choose · Enter go to the message · Esc close', dim: true }];

/**
 * Exactly `height` rows: the heading, then the results (newest first,
 * windowed so the selected one shows), or what is happening instead, and
 * the keys on the last row when there is room.
 */
export function searchRows(input: SearchRowsInput): RowSpans[] {
  const { view } = input;
  const height = Math.max(0, Math.floor(input.height));
  if (view.status === 'closed' || height === 0) return [];
  const body: RowSpans[] = [];
  const keys = height >= 3;
  const room = height - 1 - (keys ? 1 : 0);
  if (view.status === 'searching') body.push([{ text: 'searching…', dim: true }]);
  else if (view.status === 'failed') body.push([{ text: view.error, color: 'red' }]);
  else if (view.messages.length === 0) {
    body.push([{ text: 'no message holds every word', dim: true }]);
  } else {
    const words = searchWords(view.query.text);
    const more = view.more && room >= 2;
    const slots = Math.max(1, room - (more ? 1 : 0));
    const first = Math.max(0, Math.min(view.selected - slots + 1, view.messages.length - slots));
    const top = Math.min(first, view.selected);
    view.messages.slice(top, top + slots).forEach((message, index) => {
      body.push(resultRow(message, input, words, top + index === view.selected));
    });
    if (more) {
      const narrow =
        view.query.room === undefined ? 'add words or name a conversation' : 'add words';
      body.push([{ text: `more on the server: ${narrow}`, dim: true }]);
    }
  }
  const rows: RowSpans[] = [heading(view), ...body.slice(0, Math.max(0, room))];
  while (rows.length < height - (keys ? 1 : 0)) rows.push([]);
  if (keys) rows.push(KEYS);
  return rows.slice(0, height);
}
