import type { DirectMessage, RoomMessage } from '../net/protocol/frames.ts';
import { neutralize, neutralizeLine } from '../ui/text/sanitize.ts';

/**
 * One message as plain text for `chat tail`: `[HH:MM] <user> text`, `/me`
 * actions as `[HH:MM] * user text`, direct messages with both names.
 * Continuation lines of a multi-line text are indented under the first.
 * Peer text is neutralized as the TUI draws it (no controls, escape
 * sequences, invisible characters or stacked marks reach the terminal).
 * `timeZone` is for tests; the default is the machine's.
 */
export function formatMessageLine(message: RoomMessage | DirectMessage, timeZone?: string): string {
  const time = new Date(message.ts).toLocaleTimeString('en-GB', {
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
    ...(timeZone ? { timeZone } : {}),
  });
  const who = neutralizeLine(
    message.type === 'dm' ? `${message.from} → ${message.to}` : message.from,
  );
  const head = message.action ? `[${time}] * ${who} ` : `[${time}] <${who}> `;
  const text = neutralize(message.text);
  return head + text.split('\n').join(`\n${' '.repeat(head.length)}`);
}
