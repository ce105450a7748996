import { homedir } from 'node:os';
import { ChatError } from '../errors.ts';
import type { ChatClient } from '../net/chat-client.ts';
import type { ClientState } from '../net/client-types.ts';
import { keyringFor } from '../net/e2ee/client-keyring.ts';
import { type DmKeyring, memoryPins } from '../net/e2ee/dm-keyring.ts';
import { openMessage, type ShownMessage } from '../net/e2ee/open-frames.ts';
import { MAX_HISTORY_LIMIT } from '../net/protocol/frames.ts';
import { readOnlyPins, userPinsFile } from '../profile/pins-file.ts';
import { profilePlace } from '../profile/profile-paths.ts';
import { safeJson } from '../ui/text/sanitize.ts';
import { loadClientCredentials } from './client-identity.ts';
import { formatMessageLine } from './format-message.ts';
import { loginName } from './login-name.ts';
import { type ClientArgs, scriptClient } from './script-client.ts';

/** Where `chat tail` writes: lines for stdout, notices for stderr. */
export interface TailIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** What `chat tail` is built from; tests pass a client of their own. */
export interface TailDeps {
  /** Makes the (not yet connected) client; the default reads the certs the flags name and reconnects. */
  createClient?: (args: ClientArgs) => Promise<ChatClient>;
  /**
   * Opens sealed DMs for `client`; the default builds it from the certs the
   * flags name, with the team profile's pins read, never written. Undefined:
   * a sealed DM is printed as one that tail cannot open.
   */
  createKeyring?: (args: ClientArgs, client: ChatClient) => Promise<DmKeyring | undefined>;
}

type Message = ShownMessage;

const STOPPED = Symbol('stopped');

/**
 * `chat tail`: prints a room's messages (and direct messages to you) as they
 * arrive, optionally after the last N, as text lines or JSON lines. Runs
 * until `until` resolves, reconnecting and resuming without gaps or repeats;
 * rejects with the client's ChatError once it gives up for good (certificate
 * refused, too many devices, flood).
 */
export async function runTail(
  args: ClientArgs & { json?: boolean; history?: number },
  io: TailIo,
  until: Promise<void>,
  deps: TailDeps = {},
): Promise<void> {
  const count = args.history ?? 0;
  if (!Number.isInteger(count) || count < 0) {
    throw new ChatError('USAGE', `invalid --history ${String(args.history)}`, {
      hint: 'give how many messages to show first, a whole number (0 for none)',
    });
  }
  const create = deps.createClient ?? ((a: ClientArgs) => scriptClient(a, 'chat-tail', true));
  const client = await create(args);
  const output = new TailOutput(
    (message) => io.out(args.json ? safeJson(shownJson(message)) : formatMessageLine(message)),
    () => client.facts.user,
  );
  client.on('message', (m) => {
    if (m.room === args.room) output.live(m);
  });
  const keyring = await (deps.createKeyring ?? tailKeyring)(args, client);
  // Opened one at a time, in the order they came: a copy is told by its first.
  let opening: Promise<void> = Promise.resolve();
  client.on('dm', (m) => {
    if (!keyring) return output.live(m);
    const arrived = Date.now();
    opening = opening.then(async () => output.live(await openMessage(keyring, m, arrived)));
  });

  let finalError: ChatError | undefined;
  let giveUp: (error: ChatError) => void = () => {};
  const failed = new Promise<never>((_resolve, reject) => {
    giveUp = reject;
  });
  // Awaited only in races below; this keeps a failure while nothing races it from being unhandled.
  failed.catch(() => {});
  client.on('state', (state, detail) => {
    if (state === 'reconnecting' && detail.error) {
      io.err(
        `chat: ${detail.error.message}; reconnecting in ${((detail.retryInMs ?? 0) / 1000).toFixed(1)} s`,
      );
    } else if (state === 'offline' && detail.error) {
      finalError ??= detail.error;
      giveUp(detail.error);
    }
  });
  const stopped = until.then((): typeof STOPPED => STOPPED);

  try {
    const welcome = await Promise.race([client.connect(), failed, stopped]);
    if (welcome === STOPPED) return;
    if (count > 0) {
      // History ends where the room stood at welcome; everything later comes live.
      const newest = welcome.rooms.find((r) => r.room === args.room)?.lastId;
      const history = await Promise.race([
        fetchHistory(client, args.room, count, welcome.limits.maxHistory, newest),
        failed,
        stopped,
      ]);
      if (history === STOPPED) return;
      for (const message of history) output.print(message);
    }
    output.release();
    await Promise.race([stopped, failed]);
  } catch (error) {
    // A pending call the final failure cut short rejects with a vaguer error of its own.
    throw finalError ?? error;
  } finally {
    await client.close();
  }
}

/**
 * Prints each message once, in id order per conversation (a room, or a DM
 * peer): live messages are held until `release()`, so history comes first,
 * and any id at or below the last one printed for its conversation is dropped.
 */
class TailOutput {
  private held: Message[] | undefined = [];
  private readonly lastPrinted = new Map<string, number>();

  constructor(
    private readonly write: (message: Message) => void,
    private readonly me: () => string | undefined,
  ) {}

  /** A message that just arrived: printed now, or once released. */
  live(message: Message): void {
    if (this.held) this.held.push(message);
    else this.print(message);
  }

  /** Prints what was held, then every live message as it comes. */
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const message of held) this.print(message);
  }

  print(message: Message): void {
    const key = this.conversation(message);
    const last = this.lastPrinted.get(key);
    if (last !== undefined && message.id <= last) return;
    this.lastPrinted.set(key, message.id);
    this.write(message);
  }

  private conversation(message: Message): string {
    if (message.type === 'msg') return message.room;
    return `@${message.from === this.me() ? message.to : message.from}`;
  }
}

// Older messages come in pages of at most what the server allows; walk back
// from `newest` until there are enough, oldest first. A drop midway waits for
// the reconnection and walks again from the same point; the caller's race
// ends the wait if the client gives up.
async function fetchHistory(
  client: ChatClient,
  room: string,
  count: number,
  pageLimit: number,
  newest: number | undefined,
): Promise<Message[]> {
  for (;;) {
    try {
      return await walkHistory(client, room, count, pageLimit, newest);
    } catch (error) {
      if (client.state !== 'reconnecting' && client.state !== 'connecting') throw error;
      const next = await new Promise<ClientState>((resolve) => {
        const onState = (state: ClientState) => {
          if (state !== 'connected' && state !== 'closed' && state !== 'offline') return;
          client.off('state', onState);
          resolve(state);
        };
        client.on('state', onState);
      });
      if (next !== 'connected') throw error;
    }
  }
}

async function walkHistory(
  client: ChatClient,
  room: string,
  count: number,
  pageLimit: number,
  newest: number | undefined,
): Promise<Message[]> {
  const messages: Message[] = [];
  let before = newest === undefined ? undefined : newest + 1;
  while (messages.length < count) {
    const page = await client.history(room, {
      limit: Math.max(1, Math.min(MAX_HISTORY_LIMIT, pageLimit, count - messages.length)),
      ...(before === undefined ? {} : { before }),
    });
    messages.unshift(...page.messages);
    before = page.messages[0]?.id;
    if (!page.more || before === undefined) break;
  }
  return messages.slice(-count);
}

/**
 * The keyring of the user the flags name, for opening the sealed DMs tail
 * prints; undefined (a sealed DM is then said to be one) when their
 * certificate and key cannot be read, or the pins file is damaged.
 */
async function tailKeyring(args: ClientArgs, client: ChatClient): Promise<DmKeyring | undefined> {
  try {
    const { user, credentials } = await loadClientCredentials(args.certs, args.user, loginName());
    const place =
      args.team === undefined
        ? undefined
        : userPinsFile(profilePlace(args.team, process.env, homedir()), user);
    const pins = place === undefined ? memoryPins() : readOnlyPins(place.file, place.legacy);
    await pins.load();
    return keyringFor(client, credentials, user, pins);
  } catch (error) {
    if (error instanceof ChatError) return undefined;
    throw error;
  }
}

/**
 * A message as `--json` prints it: a sealed DM opened has its text and
 * `e2ee: "opened"` (with the sender's signed time), one that did not open
 * `e2ee: "failed"` and why; the envelope itself is left out of both.
 */
function shownJson(message: ShownMessage): object {
  if (message.type !== 'dm' || message.seal === undefined) return message;
  const { seal, sealed: _envelope, unsealed: _clear, ...plain } = message;
  return seal.ok
    ? { ...plain, e2ee: 'opened', sentAt: seal.sentAt }
    : { ...plain, e2ee: 'failed', why: seal.why };
}
