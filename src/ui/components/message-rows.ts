/**
 * The message pane's rows, as spans. Pure. Only the lines that reach the
 * screen are ever wrapped: `visibleRows` walks a conversation from the
 * newest line backwards until the pane is full, and each line's rows are
 * memoised per line object, width, time zone and clock format, so a history of 100,000
 * lines costs what the visible ones cost.
 */

import { deletedText } from '../state/chat-moderation.ts';
import type {
  DayLine,
  FailedLine,
  Line,
  MessageLine,
  Pending,
  ScrollState,
  SystemLine,
} from '../state/chat-types.ts';
import { findLinks } from '../text/links.ts';
import { type ClockFormat, clockTime } from '../text/time.ts';
import { userColor } from '../text/user-color.ts';
import { displayWidth, truncate, wrapText } from '../text/wrap.ts';
import { keepWholeLinks, linkedParts } from './link-spans.ts';
import { type RowSpans, type Span, spansWidth } from './spans.ts';

/** Below this many columns for the text, the prefix gets a row of its own (columns). */
const MIN_TEXT_WIDTH = 10;
/** Indent of the text under a prefix that has a row of its own (columns). */
const STACKED_INDENT = 2;
/** Longest nick shown in a prefix (columns); longer ones are cut with '…'. */
const MAX_NICK_WIDTH = 16;

/** The most columns a nick takes in a prefix of a pane `width` columns wide. */
export function nickWidth(width: number): number {
  return Math.max(4, Math.min(MAX_NICK_WIDTH, Math.floor(width / 4)));
}

/**
 * `head` then `text` wrapped into the columns left of `width`, continuation
 * rows indented under the text. When fewer than MIN_TEXT_WIDTH columns are
 * left, the head takes a row and the text follows, indented by 2. With
 * `linked`, the URLs in `text` are links (see `link-spans.ts`).
 */
function block(
  head: RowSpans,
  text: string,
  width: number,
  style: Omit<Span, 'text'>,
  linked = false,
): RowSpans[] {
  const headWidth = spansWidth(head);
  const textWidth = width - headWidth;
  const stacked = textWidth < MIN_TEXT_WIDTH;
  const parts = wrapText(text, stacked ? Math.max(1, width - STACKED_INDENT) : textWidth);
  const texts = linked
    ? linkedParts(text, parts, style)
    : parts.map((part) => [{ ...style, text: part }]);
  if (!stacked) {
    const indent: Span = { text: ' '.repeat(headWidth) };
    return texts.map((spans, index) => [...(index === 0 ? head : [indent]), ...spans]);
  }
  const indent: Span = { text: ' '.repeat(STACKED_INDENT) };
  return [head, ...texts.map((spans): RowSpans => [indent, ...spans])];
}

/** `<nick> ` or, for an action, `* nick `, with the nick in its colour. */
function nickSpans(
  nick: string,
  action: boolean,
  width: number,
  extra: Omit<Span, 'text'>,
): Span[] {
  const shown = truncate(nick, nickWidth(width));
  const color = userColor(nick);
  if (action) {
    return [
      { text: '* ', color, ...extra },
      { text: `${shown} `, color, bold: true, ...extra },
    ];
  }
  return [
    { text: '<', dim: true },
    { text: shown, color, bold: true, ...extra },
    { text: '> ', dim: true },
  ];
}

/** What a sealed direct message that did not open shows instead of text (in red, with why). */
export const UNVERIFIED_MARK = '⚠ could not be verified';

/** What leads a direct message that came in clear (in yellow): the server could have written it. */
export const UNSEALED_MARK = '(not sealed)';

/** What follows an edited message's text, dim. */
export const EDITED_MARK = '(edited)';

/**
 * `HH:MM <nick> text` (or `HH:MM * nick text`); a mention in bold yellow.
 * An edited message ends with a dim `(edited)`; a deleted one shows a dim
 * italic placeholder instead of its text; a sealed one that did not open
 * says so in red, and why, never with any text of its own.
 */
export function messageRows(
  line: MessageLine,
  width: number,
  timeZone?: string,
  clock?: ClockFormat,
): RowSpans[] {
  const head: Span[] = [
    { text: `${clockTime(line.ts, timeZone, clock)} `, dim: true },
    ...nickSpans(line.from, line.action, width, {}),
  ];
  if (line.deleted !== undefined) {
    return block(head, deletedText(line.deleted), width, { dim: true, italic: true });
  }
  if (line.unverified !== undefined) {
    return block(head, `${UNVERIFIED_MARK}: ${line.unverified}`, width, { color: 'red' });
  }
  // Below, the text shown is the message's: its URLs are links (`messageLinks` counts them).
  if (line.copyOf !== undefined) {
    const text = `${line.text} (a copy of message ${line.copyOf})`;
    return block(head, text, width, { dim: true }, true);
  }
  if (line.unsealed) {
    return block(head, `${UNSEALED_MARK} ${line.text}`, width, { color: 'yellow' }, true);
  }
  const style: Omit<Span, 'text'> = line.mention
    ? { color: 'yellow', bold: true }
    : line.action
      ? { color: userColor(line.from) }
      : {};
  const text =
    line.sentAt === undefined
      ? line.text
      : `${line.text} (sealed ${sealedWhen(line.sentAt, timeZone)})`;
  if (line.edited === undefined) return block(head, text, width, style, true);
  const rows = block(head, `${text} ${EDITED_MARK}`, width, style, true);
  return rows.map((row, index) => (index === rows.length - 1 ? dimEditedMark(row) : row));
}

/**
 * The URLs a line shows as links, in order: those of a message's text (see
 * `findLinks`), none while it is deleted or did not open. What the marks
 * around the text add is separated from it by a space, so it never changes them.
 */
export function messageLinks(line: Line): string[] {
  if (line.kind !== 'message' || line.deleted !== undefined || line.unverified !== undefined) {
    return [];
  }
  return findLinks(line.text).map((link) => link.url);
}

/** Every link of `lines`, the newest first (the last one of the newest line). */
export function linksNewestFirst(lines: readonly Line[]): string[] {
  const links: string[] = [];
  for (let index = lines.length - 1; index >= 0; index--) {
    const line = lines[index];
    if (line !== undefined) links.push(...messageLinks(line).reverse());
  }
  return links;
}

// When the sender sealed it, with the date: shown only when far from the server's time.
function sealedWhen(sentAt: number, timeZone: string | undefined): string {
  return new Date(sentAt).toLocaleString('en-GB', {
    ...(timeZone ? { timeZone } : {}),
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  });
}

// The mark was wrapped with the text (it never breaks: no spaces in it):
// split it off the last span so it alone is dim.
function dimEditedMark(row: RowSpans): RowSpans {
  const last = row.at(-1);
  if (last === undefined || !last.text.endsWith(EDITED_MARK)) return row;
  const before = last.text.slice(0, -EDITED_MARK.length);
  const mark: Span = { text: EDITED_MARK, dim: true };
  return [...row.slice(0, -1), ...(before === '' ? [] : [{ ...last, text: before }]), mark];
}

/** `HH:MM -- text`, all dim. */
export function systemRows(
  line: SystemLine,
  width: number,
  timeZone?: string,
  clock?: ClockFormat,
): RowSpans[] {
  const head: Span[] = [{ text: `${clockTime(line.ts, timeZone, clock)} -- `, dim: true }];
  return block(head, line.text, width, { dim: true });
}

/** One row: `text` centred in a rule of `rule` characters, `width` columns wide. */
function ruleRow(text: string, width: number, rule: string, style: Omit<Span, 'text'>): RowSpans {
  const columns = Math.max(1, Math.floor(width));
  if (columns < 8) return [{ ...style, text: truncate(text, columns) }];
  const label = ` ${truncate(text, columns - 6)} `;
  const rest = columns - displayWidth(label);
  const left = Math.floor(rest / 2);
  return [{ ...style, text: `${rule.repeat(left)}${label}${rule.repeat(rest - left)}` }];
}

/** One dim row, the day's label centred in a rule: `──── Wednesday 25 November 2026 ────`. */
export function dayRows(line: DayLine, width: number): RowSpans[] {
  return [ruleRow(line.label, width, '─', { dim: true })];
}

/** Under the backlog, a dotted dim rule: quieter than a day, it only says where live lines start. */
export function backlogRows(width: number): RowSpans[] {
  return [ruleRow('backlog', width, '┄', { dim: true })];
}

/** The "new since you left" rule, in red but dim: seen at a glance, never loud. */
export function newSinceRow(width: number): RowSpans {
  return ruleRow('new since you left', width, '─', { color: 'red', dim: true });
}

/**
 * The rows of `line` in the pane: its own, under the "new since you left"
 * rule when it is the `marked` line (scrolling measures lines with this).
 */
export function paneLineRows(
  line: Line,
  width: number,
  timeZone: string | undefined,
  marked: Line | undefined,
  clock?: ClockFormat,
): RowSpans[] {
  const rows = lineRows(line, width, timeZone, clock);
  return line === marked ? [newSinceRow(width), ...rows] : rows;
}

/** One of the user's own messages, dim, with `mark` where the time goes. */
function ownRows(mark: Span, user: string, action: boolean, text: string, width: number) {
  const head: Span[] = [mark, ...nickSpans(user, action, width, { dim: true })];
  return { head, rows: block(head, text, width, { dim: true }) };
}

/** `mark` in the middle of the columns a time and its space take, e.g. '  …   ' for HH:MM. */
function inTimeColumn(mark: string, clock: ClockFormat = 'HH:MM'): string {
  const left = Math.floor((clock.length - mark.length) / 2);
  return `${' '.repeat(left)}${mark}`.padEnd(clock.length + 1);
}

/** One of the user's own messages not yet acknowledged: dim, with '…' where the time goes. */
export function pendingRows(
  pending: Pending,
  width: number,
  user: string,
  clock?: ClockFormat,
): RowSpans[] {
  const mark: Span = { text: inTimeColumn('…', clock), dim: true };
  return ownRows(mark, user, pending.action, pending.text, width).rows;
}

/**
 * One of the user's own messages that was not sent: dim, with a red '!'
 * where the time goes and a red `failed: reason` row under it.
 */
export function failedRows(line: FailedLine, width: number, clock?: ClockFormat): RowSpans[] {
  const mark: Span = { text: inTimeColumn('!', clock), color: 'red', bold: true };
  const { head, rows } = ownRows(mark, line.from, line.action, line.text, width);
  const indent = Math.min(spansWidth(head), STACKED_INDENT * 3);
  return [
    ...rows,
    [{ text: ' '.repeat(indent) }, { text: `failed: ${line.reason}`, color: 'red' }],
  ];
}

type Memo = { key: string; rows: RowSpans[] };

// Line and Pending objects are immutable, so their rows only change with the width or zone.
const memo = new WeakMap<object, Memo>();

function remembered(target: object, key: string, build: () => RowSpans[]): RowSpans[] {
  const hit = memo.get(target);
  if (hit?.key === key) return hit.rows;
  const rows = build();
  memo.set(target, { key, rows });
  return rows;
}

/** The rows of one line at `width` columns (memoised per line object, width, zone and clock). */
export function lineRows(
  line: Line,
  width: number,
  timeZone?: string,
  clock?: ClockFormat,
): RowSpans[] {
  return remembered(line, `${width} ${timeZone ?? ''} ${clock ?? ''}`, () => {
    switch (line.kind) {
      case 'message':
        return messageRows(line, width, timeZone, clock);
      case 'system':
        return systemRows(line, width, timeZone, clock);
      case 'day':
        return dayRows(line, width);
      case 'backlog':
        return backlogRows(width);
      case 'failed':
        return failedRows(line, width, clock);
    }
  });
}

/** Rows drawn reversed, for the message a search jumped to (see PaneInput.flashId). */
function flashed(rows: RowSpans[]): RowSpans[] {
  return rows.map((row) => row.map((span) => ({ ...span, inverse: true })));
}

/** The last row while scrolled up: ` ↓ N new messages (End) `. */
export function newMessagesRow(count: number): RowSpans {
  const text =
    count > 0 ? ` ↓ ${count} new message${count === 1 ? '' : 's'} (End) ` : ' ↓ more below (End) ';
  return [{ text, color: 'yellow', bold: true, inverse: true }];
}

/** What the pane shows. */
export type PaneInput = {
  /** Oldest first. */
  lines: readonly Line[];
  /** The user's unacknowledged messages to this conversation, in send order. */
  pending: readonly Pending[];
  scroll: ScrollState;
  /** Columns. */
  width: number;
  /** Rows. */
  height: number;
  timeZone?: string | undefined;
  /** How times are written (default HH:MM). */
  clock?: ClockFormat | undefined;
  /** The id of a message drawn reversed for a moment (where a search jumped). */
  flashId?: number | undefined;
  /** The user's name, for pending messages. */
  user?: string | undefined;
  /** Older messages exist on the server: say how to load them above the oldest line. */
  hasMore?: boolean;
  /** The line the "new since you left" rule goes above (see `newSinceLine`). */
  marked?: Line | undefined;
};

/**
 * Exactly `height` rows, top to bottom: the lines that fit, newest at the
 * bottom (`scroll.offset` lines above the newest, the last
 * `scroll.hiddenRows` rows of that line hidden; pending messages below the
 * newest while following), blank rows above when there are too few. While
 * scrolled up the last row is the new-messages mark. Reads only the lines it
 * shows, plus one.
 */
export function visibleRows(input: PaneInput): RowSpans[] {
  const height = Math.max(0, Math.floor(input.height));
  const width = Math.max(1, Math.floor(input.width));
  if (height === 0) return [];
  const { lines, pending, clock, flashId } = input;
  const offset = Math.max(0, Math.min(Math.floor(input.scroll.offset), lines.length - 1));
  const anchor = lines[lines.length - 1 - offset];
  const rowsOf = (line: Line) => {
    const rows = paneLineRows(line, width, input.timeZone, input.marked, clock);
    return flashId !== undefined && line.kind === 'message' && line.id === flashId
      ? flashed(rows)
      : rows;
  };
  const anchorRows = anchor === undefined ? [] : rowsOf(anchor);
  const hidden = Math.max(
    0,
    Math.min(Math.floor(input.scroll.hiddenRows ?? 0), anchorRows.length - 1),
  );
  const marker =
    offset > 0 || hidden > 0 ? newMessagesRow(input.scroll.newWhileScrolled) : undefined;
  let budget = height - (marker === undefined ? 0 : 1);
  // Blocks of rows, newest first; a block cut at the top keeps its last rows,
  // and the links of a block cut (`below`: rows cut at its bottom) only where whole.
  const blocks: RowSpans[][] = [];
  const take = (rows: RowSpans[], below: RowSpans[] = []): void => {
    const top = Math.max(0, rows.length - budget);
    const kept = top > 0 ? rows.slice(top) : rows;
    const cut = top > 0 ? [...rows.slice(0, top), ...below] : below;
    blocks.push(cut.length > 0 ? keepWholeLinks(kept, cut) : kept);
    budget -= kept.length;
  };
  if (marker === undefined) {
    const user = input.user ?? 'you';
    for (let index = pending.length - 1; index >= 0 && budget > 0; index--) {
      const item = pending[index];
      if (item === undefined) continue;
      take(
        remembered(item, `${width} ${user} ${clock ?? ''}`, () =>
          pendingRows(item, width, user, clock),
        ),
      );
    }
  }
  if (anchor !== undefined && budget > 0) {
    const shown = anchorRows.length - hidden;
    take(anchorRows.slice(0, shown), anchorRows.slice(shown));
  }
  let index = lines.length - 2 - offset;
  for (; index >= 0 && budget > 0; index--) {
    const line = lines[index];
    if (line !== undefined) take(rowsOf(line));
  }
  if (index < 0 && budget > 0 && input.hasMore === true) {
    take([[{ text: '↑ PageUp loads older messages', dim: true }]]);
  }
  const out: RowSpans[] = [];
  for (let blank = 0; blank < budget; blank++) out.push([]);
  for (let block = blocks.length - 1; block >= 0; block--) out.push(...(blocks[block] ?? []));
  if (marker !== undefined) out.push(marker);
  return out;
}
