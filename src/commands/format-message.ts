import type { ShownMessage } from '../net/e2ee/open-frames.ts';
import type { DirectMessage, RoomMessage } from '../net/protocol/frames.ts';
import { neutralize, neutralizeLine } from '../ui/text/sanitize.ts';

/**
 * One message as plain text for `chat tail`: `[HH:MM] <user> text`, `/me`
 * actions as `[HH:MM] * user text`, direct messages with both names.
 * Continuation lines of a multi-line text are indented under the first; a
 * DM sealed end to end is said to be one.
 * Peer text is neutralized as the TUI draws it (no controls, escape
 * sequences, invisible characters or stacked marks reach the terminal).
 * `timeZone` is for tests; the default is the machine's.
 */
export function formatMessageLine(message: ShownMessage, timeZone?: string): string {
  return formatLine(message, `[${stamp(message.ts, false, timeZone)}]`);
}

/**
 * One search result for `chat history search`: as `formatMessageLine`, led
 * by its conversation as `me` names it (`#room`, or `@peer` for a DM) and
 * with the date, as results may be old: `[#general] [2026-01-01 09:05] <alice> hello`.
 */
export function formatSearchLine(
  message: RoomMessage | DirectMessage,
  me: string,
  timeZone?: string,
): string {
  const where =
    message.type === 'msg' ? message.room : `@${message.from === me ? message.to : message.from}`;
  return formatLine(message, `[${where}] [${stamp(message.ts, true, timeZone)}]`);
}

// A sealed DM as it opened: its text, why it did not open, or, where it was
// not opened (no keyring), that it is sealed; never an empty line.
function shownText(message: ShownMessage): string {
  if (message.type !== 'dm' || message.deleted || message.sealed === undefined) return message.text;
  if (message.seal === undefined) return '(sealed end to end: chat tail could not open it here)';
  return message.seal.ok ? message.text : `(could not be verified: ${message.seal.why})`;
}

function formatLine(message: ShownMessage, lead: string): string {
  const who = neutralizeLine(
    message.type === 'dm' ? `${message.from} → ${message.to}` : message.from,
  );
  const head = message.action ? `${lead} * ${who} ` : `${lead} <${who}> `;
  const text = neutralize(shownText(message));
  return head + text.split('\n').join(`\n${' '.repeat(head.length)}`);
}

// `HH:MM`, or `YYYY-MM-DD HH:MM` with the date, in 24 hours.
function stamp(ts: number, withDate: boolean, timeZone: string | undefined): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    ...(withDate ? { year: 'numeric', month: '2-digit', day: '2-digit' } : {}),
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    ...(timeZone ? { timeZone } : {}),
  }).formatToParts(new Date(ts));
  const part = (type: Intl.DateTimeFormatPartTypes) =>
    parts.find((p) => p.type === type)?.value ?? '';
  const time = `${part('hour')}:${part('minute')}`;
  return withDate ? `${part('year')}-${part('month')}-${part('day')} ${time}` : time;
}
