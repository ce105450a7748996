/**
 * Desktop notifications through the terminal, as bytes. Two escape
 * sequences are written, since terminals each know one or the other and
 * ignore what they do not know: OSC 777 (`notify;TITLE;BODY`: rxvt-unicode,
 * foot, Ghostty, WezTerm, VTE terminals) and OSC 9 (`BODY`: iTerm2, kitty,
 * Windows Terminal, WezTerm). Inside tmux each goes through its passthrough
 * (`ESC P tmux; … ESC \`, every ESC inside doubled; tmux 3.3+ also needs
 * `set -g allow-passthrough on`). Pure: the caller writes the bytes.
 */
import type { StoredMessage } from '../../net/protocol/frames.ts';
import { mentions } from './mentions.ts';
import { neutralize } from './sanitize.ts';

const ESC = '\u001b';
/** String Terminator: ends an OSC or DCS. */
const ST = `${ESC}\\`;

/** Longest title kept, in characters (code points). */
export const MAX_TITLE_CHARS = 60;
/** Longest body kept, in characters (code points). */
export const MAX_BODY_CHARS = 200;

/** What a notification says. */
export type Notification = { title: string; body: string };

/**
 * Peer text made fit for a notification field: nothing that can end the
 * sequence or steer the terminal (controls, ESC, BEL and C1 controls are
 * drawn harmless by `neutralize`), on one line with runs of white space as
 * one space, at most `max` characters (a cut one ends in '…'). `;` ends a
 * field of OSC 777 other than the last, so a title gets `,` instead.
 */
export function notificationField(text: string, max: number, title = false): string {
  let clean = neutralize(text).replace(/\s+/g, ' ').trim();
  if (title) clean = clean.replaceAll(';', ',');
  const chars = Array.from(clean);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : clean;
}

/** `sequence` wrapped for tmux's passthrough, which hands it to the outer terminal. */
export function tmuxPassthrough(sequence: string): string {
  return `${ESC}Ptmux;${sequence.replaceAll(ESC, ESC + ESC)}${ST}`;
}

/**
 * The bytes of one desktop notification: OSC 777 with the title and body,
 * then OSC 9 with `title: body` (it has no title of its own), each wrapped
 * for tmux when `tmux` is true. Title and body are cleaned with
 * {@link notificationField}.
 */
export function notificationBytes(notification: Notification, tmux: boolean): string {
  const title = notificationField(notification.title, MAX_TITLE_CHARS, true);
  const body = notificationField(notification.body, MAX_BODY_CHARS);
  const sequences = [
    `${ESC}]777;notify;${title};${body}${ST}`,
    `${ESC}]9;${notificationField(`${title}: ${body}`, MAX_TITLE_CHARS + MAX_BODY_CHARS)}${ST}`,
  ];
  return sequences.map((sequence) => (tmux ? tmuxPassthrough(sequence) : sequence)).join('');
}

/**
 * What a live message calls for: a notification when it is from someone
 * else and is a DM or names `me` (see `mentions`), else undefined. The
 * title says who and where (`alice in #general`, `alice (direct)`), the
 * body the text (an action as `alice waves`).
 */
export function messageAlert(
  message: StoredMessage,
  me: string | undefined,
): Notification | undefined {
  if (me === undefined || message.from === me) return undefined;
  const direct = !('room' in message);
  if (!direct && !mentions(message.text, me)) return undefined;
  const title = direct ? `${message.from} (direct)` : `${message.from} in ${message.room}`;
  // A sealed message's text stays in the pane, not in the desktop's notification log.
  if (direct && message.sealed !== undefined) return { title, body: 'sealed message' };
  // A DM in clear could be the server's own words: said so, as the pane does.
  const clear = direct ? '(not sealed) ' : '';
  const body = `${clear}${message.action === true ? `${message.from} ${message.text}` : message.text}`;
  return { title, body };
}
