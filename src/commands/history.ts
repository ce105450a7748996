import { readdir } from 'node:fs/promises';
import { ChatError } from '../errors.ts';
import { formatBytes } from '../format/bytes.ts';
import { DiskHistory } from '../server/history/disk-history.ts';
import { historyDir, redisPassword } from '../server/history/history-for-server.ts';
import type { HistoryStore } from '../server/history/history-store.ts';
import { openHistory } from '../server/history/open-history.ts';
import { redisLabel } from '../server/history/redis-label.ts';
import { safeJson } from '../ui/text/sanitize.ts';
import { checkedRedisUrl, type StoreArgs, storeKeySource, withRedisFromEnv } from './store-args.ts';

export interface HistoryArgs extends StoreArgs {
  data: string;
}

export interface HistoryIo {
  out: (line: string) => void;
}

// Read-only: nothing kept in memory beyond what the index needs.
const LIMITS = { cache: 0, keepDays: 0, keepMessages: 0 };
/** Messages read per step of an export. */
const EXPORT_PAGE = 500;

/**
 * `chat history verify`: opens every record with the key and prints what is
 * kept. Damage fails (exit 1) and names the file and byte; a torn tail (the
 * end of a write the server did not finish) is reported, and is cut by the
 * next start. Safe while the server runs: nothing is written.
 */
export async function runHistoryVerify(given: HistoryArgs, io: HistoryIo): Promise<void> {
  const args = withRedisFromEnv(given);
  if (args.redis !== undefined) {
    await verifyRedis(args, args.redis, io);
    return;
  }
  const dir = await existingHistory(args.data);
  const opened = await openHistory({
    dir,
    key: storeKeySource(args),
    limits: LIMITS,
    readOnly: true,
  });
  for (const segment of opened.segments.values()) segment.retire();
  const { report } = opened;
  const summary = opened.index.summary();
  const span =
    summary.oldest === undefined || summary.newest === undefined
      ? ''
      : `, ${stamp(summary.oldest)} to ${stamp(summary.newest)}`;
  io.out(
    `${dir}: ${report.segments} segment${report.segments === 1 ? '' : 's'}, ${formatBytes(report.bytes)}, key id ${opened.keys.keyId.toString('hex')}`,
  );
  io.out(
    `${summary.messages} message${summary.messages === 1 ? '' : 's'} in ${summary.rooms} room${summary.rooms === 1 ? '' : 's'} and ${summary.directs} direct conversation${summary.directs === 1 ? '' : 's'}${span}`,
  );
  let damaged = 0;
  for (const { file, problem, bytesAfter } of report.problems) {
    if (problem.kind === 'torn') {
      io.out(
        `${file}: ends inside a record at byte ${problem.offset} (${bytesAfter} bytes, a write never finished or acknowledged): the next start cuts them`,
      );
    } else {
      damaged += 1;
      io.out(
        `${file}: ${problem.what} at byte ${problem.offset} (${bytesAfter} bytes from there on)`,
      );
    }
  }
  if (damaged > 0) {
    throw new ChatError(
      'HISTORY_DAMAGED',
      `${damaged} damaged place${damaged === 1 ? '' : 's'} in ${dir}`,
      {
        hint: 'restore the files named from a backup, or move them out of the directory to start without them',
      },
    );
  }
  io.out(
    `every record opens with this key${report.problems.length ? ', up to the torn tail' : ''}`,
  );
}

/**
 * `chat history export --room R`: the room's kept messages, decrypted, as
 * one JSON object per line on stdout, oldest first, each as it is now: an
 * edited one with its new text and `edited`, a deleted one with an empty
 * `text` and `deleted` (its old text is never shown). For the operator
 * only: it is the plaintext the store exists to protect.
 */
export async function runHistoryExport(
  args: HistoryArgs & { room: string },
  io: HistoryIo,
): Promise<void> {
  const store = await storeToRead(withRedisFromEnv(args));
  try {
    let after = 0;
    for (;;) {
      const { messages } = await store.since(args.room, after, EXPORT_PAGE);
      // Printed to a terminal as often as to a file: nothing in it may steer the terminal.
      for (const message of messages) io.out(safeJson(message));
      const last = messages.at(-1);
      if (last === undefined) break;
      after = last.id;
    }
  } finally {
    await store.close();
  }
}

/** The store as the operator's tools read it: from Redis with --redis, else from the data directory. */
async function storeToRead(
  args: HistoryArgs,
  warn: (message: string) => void = () => {},
): Promise<HistoryStore> {
  if (args.redis !== undefined) {
    const { RedisHistory } = await import('../server/history/redis-history.ts');
    return RedisHistory.open({
      url: checkedRedisUrl(args.redis),
      password: redisPassword(args.redisPasswordEnv),
      key: storeKeySource(args),
      durability: 'everysec',
      limits: { keepDays: 0, keepMessages: 0 },
      warn: (_fields, message) => warn(message),
      readOnly: true,
    });
  }
  const dir = await existingHistory(args.data);
  return (
    await DiskHistory.open({ dir, key: storeKeySource(args), limits: LIMITS, readOnly: true })
  ).store;
}

// Every conversation read through, oldest first: what is kept, and every
// record that does not open (the store warns and skips it) counted as damage.
async function verifyRedis(args: HistoryArgs, url: string, io: HistoryIo): Promise<void> {
  const damage: string[] = [];
  const store = await storeToRead(args, (message) => damage.push(message));
  const counts = { messages: 0, rooms: 0, directs: 0 };
  let oldest: number | undefined;
  let newest: number | undefined;
  try {
    for (const conversation of (await store.lastIds()).keys()) {
      if (conversation.startsWith('#')) counts.rooms += 1;
      else counts.directs += 1;
      for (let after = 0; ; ) {
        const { messages } = await store.since(conversation, after, EXPORT_PAGE);
        for (const { ts } of messages) {
          oldest = Math.min(oldest ?? ts, ts);
          newest = Math.max(newest ?? ts, ts);
        }
        counts.messages += messages.length;
        const last = messages.at(-1);
        if (last === undefined) break;
        after = last.id;
      }
    }
  } finally {
    await store.close();
  }
  const span =
    oldest === undefined || newest === undefined ? '' : `, ${stamp(oldest)} to ${stamp(newest)}`;
  io.out(
    `${redisLabel(url)}: ${counts.messages} message${counts.messages === 1 ? '' : 's'} in ${counts.rooms} room${counts.rooms === 1 ? '' : 's'} and ${counts.directs} direct conversation${counts.directs === 1 ? '' : 's'}${span}`,
  );
  for (const line of damage) io.out(line);
  if (damage.length > 0)
    throw new ChatError(
      'HISTORY_DAMAGED',
      `${damage.length} damaged record${damage.length === 1 ? '' : 's'} in Redis at ${redisLabel(url)}`,
      {
        hint: 'the records named do not open with this key: check --certs (history.key) and --redis',
      },
    );
  io.out('every record opens with this key');
}

async function existingHistory(dataDir: string): Promise<string> {
  const dir = historyDir(dataDir);
  const names = await readdir(dir).catch(() => [] as string[]);
  if (!names.some((n) => n.endsWith('.seg'))) {
    throw new ChatError('HISTORY_NOT_FOUND', `there is no history in ${dir}`, {
      hint: "point --data at the server's data directory (chat serve --data; default: the team profile's)",
    });
  }
  return dir;
}

function stamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
}
