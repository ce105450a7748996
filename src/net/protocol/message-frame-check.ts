/**
 * The frames a client sends for every message (`send` and `dm`), checked by
 * hand: zod's check builds an issue list, a result object and a copy of the
 * frame for each one, on the path every message takes. The rules are those
 * of `sendFrame` and `dmFrame` in frames.ts, field by field. A frame this
 * check is not sure of goes to zod, which judges it and words the error, so
 * a peer sees the same answer either way. Pure.
 */

import type { z } from 'zod';
import {
  CONTROL,
  DISGUISE,
  type dmFrame,
  MAX_TEXT_CHARS,
  REF_PATTERN,
  ROOM_PATTERN,
  type sendFrame,
  USER_PATTERN,
} from './frames.ts';

type SendFrame = z.infer<typeof sendFrame>;
type DmFrame = z.infer<typeof dmFrame>;

/** Text a message may carry (a `send` or `dm` frame's, or a sealed DM's): the rules of frames.ts. */
export function isMessageText(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length >= 1 &&
    value.length <= MAX_TEXT_CHARS &&
    !CONTROL.test(value) &&
    !DISGUISE.test(value) &&
    value.isWellFormed()
  );
}

/** `key` is the only own key besides type, text, ref and action, and action is absent or a boolean. */
function onlyMessageKeys(frame: Record<string, unknown>, key: 'room' | 'to'): boolean {
  let keys = 0;
  for (const name in frame) {
    if (name !== 'type' && name !== key && name !== 'text' && name !== 'ref' && name !== 'action') {
      return false;
    }
    keys++;
  }
  // Four names, or five with action, all from the list above: all of them are there.
  // (A "__proto__" key JSON.parse made is an own key `for in` sees, so it fails above.)
  const action = frame.action;
  return action === undefined ? keys === 4 : typeof action === 'boolean' && keys === 5;
}

/**
 * Whether `frame` is a valid frame of `type` whose addressee, under `key`,
 * matches `pattern`: the rules `send` and `dm` share.
 */
function isMessageFrame(
  frame: Record<string, unknown>,
  type: 'send' | 'dm',
  key: 'room' | 'to',
  pattern: RegExp,
): boolean {
  const { text, ref } = frame;
  const addressee = frame[key];
  return (
    frame.type === type &&
    onlyMessageKeys(frame, key) &&
    typeof addressee === 'string' &&
    pattern.test(addressee) &&
    typeof ref === 'string' &&
    REF_PATTERN.test(ref) &&
    isMessageText(text)
  );
}

/** `frame` (a parsed JSON object) when it is a valid send frame, else undefined. */
export function checkedSend(frame: Record<string, unknown>): SendFrame | undefined {
  return isMessageFrame(frame, 'send', 'room', ROOM_PATTERN) ? (frame as SendFrame) : undefined;
}

/** `frame` (a parsed JSON object) when it is a valid dm frame, else undefined. */
export function checkedDm(frame: Record<string, unknown>): DmFrame | undefined {
  return isMessageFrame(frame, 'dm', 'to', USER_PATTERN) ? (frame as DmFrame) : undefined;
}
