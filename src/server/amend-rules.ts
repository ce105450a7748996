import type { StoredMessage } from '../net/protocol/frames.ts';

/** What a client asks to change in a kept message. */
export type AmendChange = { text: string } | { delete: true };

/** Why a change is refused, as the error frame will say it. */
export interface AmendRefusal {
  code: 'no_such_message' | 'not_author' | 'sealed_message';
  message: string;
}

/**
 * The outcome of an edit or a deletion: refused, the message as it is to be
 * kept, or `unchanged` (deleting a message already deleted: acknowledged
 * again, nothing kept, nothing sent).
 */
export type AmendOutcome =
  | { kind: 'refused'; refusal: AmendRefusal }
  | { kind: 'changed'; message: StoredMessage }
  | { kind: 'unchanged'; message: StoredMessage };

/** What amend() decides from. */
export interface AmendRequest {
  /** The kept message of the id asked for, or undefined when none is kept. */
  kept: StoredMessage | undefined;
  /** The id asked for, for the refusal's text. */
  id: number;
  /** Who asks. */
  by: string;
  change: AmendChange;
  /** True when `by` operates the message's room (false in a direct conversation). */
  operator: boolean;
  /** The time of the change (ms). */
  now: number;
}

/**
 * The rules of docs/PROTOCOL.md (edit, delete): only the author edits, and
 * not a deleted message; the author deletes, or an operator of the room.
 * An edit sets the new text and `edited`; a deletion empties the text and
 * sets `deleted` (with `by` only when the deleter is not the author) and
 * drops a sealed message's envelope; a sealed message is never edited. Id,
 * ts, sender and `action` stay.
 */
export function amend({ kept, id, by, change, operator, now }: AmendRequest): AmendOutcome {
  if (kept === undefined) return refused('no_such_message', `there is no message ${id} here`);
  const isAuthor = kept.from === by;
  if ('text' in change) {
    if (kept.deleted) return refused('no_such_message', `message ${id} was deleted`);
    if (!isAuthor) return refused('not_author', 'you may edit only your own messages');
    // New text in clear would undo the seal; the server cannot seal it.
    if (kept.type === 'dm' && kept.sealed) {
      return refused(
        'sealed_message',
        `message ${id} is sealed end to end: delete it and send it again`,
      );
    }
    return { kind: 'changed', message: { ...kept, text: change.text, edited: now } };
  }
  if (!isAuthor && !operator) {
    return refused('not_author', 'you may delete only your own messages, or as an operator');
  }
  if (kept.deleted) return { kind: 'unchanged', message: kept };
  const deleted = { ...kept, text: '', deleted: { ...(isAuthor ? {} : { by }), ts: now } };
  // A deleted message keeps nothing of what it said: its envelope goes too.
  if (deleted.type === 'dm') delete deleted.sealed;
  return { kind: 'changed', message: deleted };
}

function refused(code: AmendRefusal['code'], message: string): AmendOutcome {
  return { kind: 'refused', refusal: { code, message } };
}
