/**
 * The away summary's rows: what happened in each conversation while the
 * user was away, the mentions of them quoted. Pure, like `message-rows.ts`.
 */
import type { AwayEntry, AwaySummary } from '../state/chat-types.ts';
import { clockTime, dayLabel } from '../text/time.ts';
import { wrapText } from '../text/wrap.ts';
import { messageRows } from './message-rows.ts';
import type { RowSpans, Span } from './spans.ts';

/** Quoted lines and topics sit this far in under their conversation (columns). */
const INDENT = 2;
const MORE: RowSpans = [{ text: '… (resize for more)', dim: true }];

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** `#dev  3 unread, 1 mention`, then the mentions quoted, then a new topic. */
function entryRows(entry: AwayEntry, inner: number, timeZone: string | undefined): RowSpans[] {
  const facts = [
    ...(entry.unread > 0 ? [`${entry.unread} unread`] : []),
    ...(entry.mentions > 0 ? [plural(entry.mentions, 'mention')] : []),
  ];
  const rows: RowSpans[] = [
    [
      { text: entry.name, bold: true, ...(entry.mentions > 0 ? { color: 'yellow' } : {}) },
      { text: facts.length > 0 ? `  ${facts.join(', ')}` : '', dim: true },
    ],
  ];
  const indent: Span = { text: ' '.repeat(INDENT) };
  const width = Math.max(1, inner - INDENT);
  for (const line of entry.lines) {
    for (const row of messageRows(line, width, timeZone)) rows.push([indent, ...row]);
  }
  if (entry.topic !== undefined) {
    const said = `${entry.topic.by} set the topic: ${entry.topic.text || '(cleared)'}`;
    for (const part of wrapText(said, width)) rows.push([indent, { text: part, dim: true }]);
  }
  return rows;
}

/**
 * The summary as rows `inner` columns wide, at most `rows` of them: a
 * heading with the time the user left and the keys, then each
 * conversation. What does not fit is cut, the last row saying so.
 */
export function awaySummaryRows(
  summary: AwaySummary,
  inner: number,
  rows: number,
  timeZone?: string,
): RowSpans[] {
  const since = `${dayLabel(summary.since, timeZone)} ${clockTime(summary.since, timeZone)}`;
  const all: RowSpans[] = [
    [
      { text: 'While you were away', bold: true, color: 'cyan' },
      { text: ` since ${since}`, dim: true },
    ],
    [{ text: 'Enter: first mention · Esc: close', dim: true }],
    [],
  ];
  for (const entry of summary.entries) all.push(...entryRows(entry, inner, timeZone));
  if (all.length <= rows) return all;
  return rows <= 0 ? [] : [...all.slice(0, rows - 1), MORE];
}
