/**
 * Away, both ways: the client's AWAY as chat's `away` or `back`, and
 * others' presence as AWAY lines for a client that took away-notify. Pure.
 */
import type { ServerFrameOf } from '../../net/protocol/frames.ts';
import type { IrcOutput } from './irc-output.ts';
import { type Addressee, ircLine, numeric, userSource } from './irc-write.ts';

/** `AWAY :text` marks the client away with that text; `AWAY` alone, back. */
export function awayCommand(text: string, to: Addressee): IrcOutput {
  return text === ''
    ? {
        frames: [{ type: 'back' }],
        lines: [numeric(to, '305', 'You are no longer marked as being away')],
      }
    : {
        frames: [{ type: 'away', text }],
        lines: [numeric(to, '306', 'You have been marked as being away')],
      };
}

/** A user went away (with why) or came back: an AWAY line from them, if the client asked. */
export function presenceLines(to: Addressee, frame: ServerFrameOf<'presence'>): string[] {
  if (!to.caps.has('away-notify')) return [];
  return [
    ircLine(to, 'AWAY', frame.status === 'away' ? [frame.text ?? 'away'] : [], {
      source: userSource(frame.user),
    }),
  ];
}
