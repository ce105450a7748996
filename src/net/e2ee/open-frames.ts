/**
 * Frames as a reader shows them: every direct message sealed end to end
 * (in `dm`, `history`, `unread` and `update` frames) opened with the
 * keyring, its text put where a plain message has it and a mark saying how
 * it opened; one that came in clear is marked as such. One that does not open keeps no text of its own: it says why
 * in `seal`, and the screen shows it as a message that could not be
 * verified, never as text.
 */
import type { ServerFrame, StoredMessage } from '../protocol/frames.ts';
import type { DmKeyring, Opened } from './dm-keyring.ts';

/**
 * How far the sender's signed time may be from when a message came before
 * it is shown beside it: further is a slow clock, or an old message
 * relayed again as new.
 */
export const SENT_AT_SLACK_MS = 5 * 60_000;

/** How a sealed message opened. */
export type SealMark =
  /** `late`: sealed more than SENT_AT_SLACK_MS from when it came: a slow clock, or an old one relayed as new. */
  { ok: true; copyOf?: number; sentAt: number; late?: true } | { ok: false; why: string };

/**
 * A stored message as shown: a sealed one opened, with its mark; a direct
 * one that came in clear is `unsealed` (the server could have written it).
 */
export type ShownMessage = StoredMessage & { seal?: SealMark; unsealed?: true };

/** Why a sealed message did not open, in a few words for the pane. */
export function failureText(
  reason: Extract<Opened, { ok: false }>['reason'],
  from: string,
  me?: string,
): string {
  switch (reason) {
    case 'malformed':
      return 'not a valid sealed message';
    case 'wrong_signer':
    case 'unknown_signer':
      return from === me
        ? `signed by a device of yours you have not accepted (/accept ${from} if it is yours)`
        : `signed with a certificate of ${from}'s that you do not trust (/verify ${from})`;
    case 'unverified':
      return 'altered on the way';
    case 'not_for_me':
      return 'not sealed for this device';
    case 'bad_content':
      return 'its text is not one a message may carry';
    case 'keys_unavailable':
      return `not checked: ${from}'s certificates could not be asked for (no connection)`;
    case 'pins_unreadable':
      return 'not checked: your pins file is damaged (restore it from a backup)';
  }
}

/** `message` opened when it is sealed (and not deleted); as it is otherwise. */
export async function openMessage(
  keyring: DmKeyring,
  message: StoredMessage,
  arrivedAt?: number,
): Promise<ShownMessage> {
  if (message.type !== 'dm' || message.deleted) return message;
  if (message.sealed === undefined) return { ...message, unsealed: true };
  const opened = await keyring.open(message);
  if (!opened.ok) {
    return {
      ...message,
      text: '',
      seal: { ok: false, why: failureText(opened.reason, message.from, keyring.me) },
    };
  }
  const { text, action } = opened.content;
  return {
    ...message,
    text,
    ...(action ? { action: true } : {}),
    seal: {
      ok: true,
      sentAt: opened.sentAt,
      ...(opened.copyOf === undefined ? {} : { copyOf: opened.copyOf }),
      // Against this device's clock for a message that just came (a server
      // can set its own `ts` to anything), else against the server's.
      ...(Math.abs((arrivedAt ?? message.ts) - opened.sentAt) > SENT_AT_SLACK_MS
        ? { late: true }
        : {}),
    },
  };
}

/** Whether `frame` carries a direct message: one to open, or one to mark as not sealed. */
export function carriesDirect(frame: ServerFrame): boolean {
  switch (frame.type) {
    case 'dm':
      return true;
    case 'history':
      return frame.messages.some((m) => m.type === 'dm');
    case 'unread':
      return frame.conversations.some((c) => c.lines.some((m) => m.type === 'dm'));
    case 'update':
      return frame.message.type === 'dm';
    default:
      return false;
  }
}

/** `frame` with each sealed message in it opened (in order: a replay is told by what came first). */
export async function openFrame<F extends ServerFrame>(
  keyring: DmKeyring,
  frame: F,
  now: number = Date.now(),
): Promise<F> {
  const each = async (messages: readonly StoredMessage[]) => {
    const shown: ShownMessage[] = [];
    for (const message of messages) shown.push(await openMessage(keyring, message));
    return shown;
  };
  switch (frame.type) {
    case 'dm':
      return (await openMessage(keyring, frame, now)) as F;
    case 'history':
      return { ...frame, messages: await each(frame.messages) } as F;
    case 'unread': {
      const conversations = [];
      for (const c of frame.conversations) conversations.push({ ...c, lines: await each(c.lines) });
      return { ...frame, conversations } as F;
    }
    case 'update':
      return { ...frame, message: await openMessage(keyring, frame.message) } as F;
    default:
      return frame;
  }
}

/** What a screen asks to open the frames it is given (see ui/hooks/use-chat-client.ts). */
export function revealWith(keyring: DmKeyring): {
  needs: (frame: ServerFrame) => boolean;
  open: <F extends ServerFrame>(frame: F) => Promise<F>;
} {
  return { needs: carriesDirect, open: (frame) => openFrame(keyring, frame) };
}
