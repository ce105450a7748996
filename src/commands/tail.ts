import type { ChatClient } from '../net/chat-client.ts';
import type { DirectMessage, RoomMessage } from '../net/protocol/frames.ts';
import { formatMessageLine } from './format-message.ts';
import { type ClientArgs, scriptClient } from './send.ts';

/** Where `chat tail` writes: lines for stdout, notices for stderr. */
export interface TailIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

/**
 * `chat tail`: prints a room's messages (and direct messages to you) as they
 * arrive, optionally after the last N, as text lines or JSON lines. Runs
 * until interrupted, reconnecting and resuming without gaps or repeats.
 */
export async function runTail(
  args: ClientArgs & { json?: boolean; history?: number },
  io: TailIo,
  until: Promise<void>,
): Promise<void> {
  const client = await scriptClient(args, 'chat-tail', true);
  const print = (message: RoomMessage | DirectMessage) =>
    io.out(args.json ? JSON.stringify(message) : formatMessageLine(message));
  client.on('message', (m) => {
    if (m.room === args.room) print(m);
  });
  client.on('dm', print);
  client.on('state', (state, detail) => {
    if (state === 'reconnecting' && detail.error) {
      io.err(
        `chat: ${detail.error.message}; reconnecting in ${((detail.retryInMs ?? 0) / 1000).toFixed(1)} s`,
      );
    }
  });
  await client.connect();
  if (args.history && args.history > 0) await printHistory(client, args.room, args.history, print);
  await until;
  await client.close();
}

// Older messages come in pages of at most what the server allows; walk back
// until there are enough, then print them oldest first.
async function printHistory(
  client: ChatClient,
  room: string,
  count: number,
  print: (message: RoomMessage | DirectMessage) => void,
): Promise<void> {
  const pages: Array<RoomMessage | DirectMessage> = [];
  let before: number | undefined;
  while (pages.length < count) {
    const page = await client.history(room, {
      limit: Math.min(200, count - pages.length),
      ...(before ? { before } : {}),
    });
    pages.unshift(...page.messages);
    before = page.messages[0]?.id;
    if (!page.more || before === undefined) break;
  }
  for (const message of pages) print(message);
}
