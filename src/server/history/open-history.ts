import {
  type FileHandle,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { ChatError } from '../../errors.ts';
import { errorCode, fileError } from '../../fs/files.ts';
import { DIR_MODE, SECRET_MODE } from '../../fs/modes.ts';
import { acquireLock, type LockSpec, releaseLock } from '../../fs/pid-lock.ts';
import { conversationOf } from '../conversations.ts';
import { damagedError, wrongKeyError } from './history-errors.ts';
import { HistoryIndex, type IndexLimits } from './history-index.ts';
import { type HistoryKeySource, resolveHistoryKeys } from './history-key-source.ts';
import type { HistoryKeys } from './history-keys.ts';
import type { SentRef } from './history-store.ts';
import { Segment } from './segment.ts';
import {
  decodeHeader,
  encodeHeader,
  FORMAT_VERSION,
  HEADER_BYTES,
  type SegmentHeader,
  segmentName,
  segmentNumber,
} from './segment-format.ts';
import { type ScanProblem, scanSegment } from './segment-scan.ts';
import { openSequences, SEQUENCE_FILE } from './sequence-file.ts';

export interface OpenOptions {
  /** The history directory (`<data>/history`). */
  dir: string;
  key: HistoryKeySource;
  limits: IndexLimits;
  /** Look only: nothing is created, cut or locked (`chat history verify|export`). */
  readOnly?: boolean;
  now?: () => number;
  /** Refs remembered per user (see HistoryStore.recentRefs). */
  refsPerUser?: number;
}

/** What opening found. */
export interface OpenReport {
  segments: number;
  records: number;
  bytes: number;
  /** A torn tail cut from the newest segment (its bytes saved beside it). */
  cut?: { file: string; bytes: number; savedAs: string };
  /** Read-only: damage found, and a torn tail that a start would cut. */
  problems: { file: string; problem: ScanProblem; bytesAfter: number }[];
}

export interface OpenedHistory {
  keys: HistoryKeys;
  /** The newest refs of each user's kept sends, oldest first. */
  refs: Map<string, SentRef[]>;
  index: HistoryIndex;
  /** Open segments by number; the highest is where appends go (none when read-only and empty). */
  segments: Map<number, Segment>;
  report: OpenReport;
  lock: LockSpec | undefined;
}

const REFS_PER_USER = 1_000;

/**
 * Opens a history directory: checks the key against the store's, reads and
 * opens every record (which indexes them), cuts a torn tail off the newest
 * segment after saving its bytes, and makes the first segment of a new
 * store. Damage anywhere else, or a wrong key, fails with one line and
 * changes nothing.
 */
export async function openHistory(options: OpenOptions): Promise<OpenedHistory> {
  const { dir, readOnly = false } = options;
  const now = options.now ?? Date.now;
  if (!readOnly) {
    try {
      await mkdir(dir, { recursive: true, mode: DIR_MODE });
    } catch (error) {
      throw fileError(error, dir, 'choose a writable --data directory');
    }
  }
  const lock = readOnly ? undefined : historyLock(dir);
  if (lock) await acquireLock(lock);
  const segments = new Map<number, Segment>();
  try {
    // Nothing is changed until every check has passed: a refusal leaves the files as they were.
    const names = await listDir(dir);
    const numbers = names
      .map(segmentNumber)
      .filter((n): n is number => n !== undefined)
      .sort((a, b) => a - b);
    const report: OpenReport = { segments: 0, records: 0, bytes: 0, problems: [] };
    // Segments are begun complete (see createSegment); one shorter than its
    // header can only be the newest, from a power cut: it holds nothing.
    const newestNumber = numbers.at(-1);
    let emptyNewest: string | undefined;
    if (newestNumber !== undefined) {
      const start = await readStart(join(dir, segmentName(newestNumber)));
      if (start.length < HEADER_BYTES) {
        emptyNewest = segmentName(newestNumber);
        numbers.pop();
        const problem: ScanProblem = {
          kind: 'torn',
          offset: 0,
          what: 'the file ends inside its header',
        };
        if (readOnly)
          report.problems.push({ file: emptyNewest, problem, bytesAfter: start.length });
      }
    }
    const first = numbers[0];
    let firstHeader: SegmentHeader | undefined;
    if (first !== undefined) {
      const decoded = decodeHeader(await readStart(join(dir, segmentName(first))));
      if ('problem' in decoded) {
        const problem: ScanProblem = { kind: 'damaged', offset: 0, what: decoded.problem };
        throw damagedError(join(dir, segmentName(first)), problem);
      }
      firstHeader = decoded;
    }
    const keys = await resolveHistoryKeys(options.key, firstHeader, dir);
    if (firstHeader && !firstHeader.keyCheck.equals(keys.keyCheck))
      throw wrongKeyError(dir, firstHeader.keyId, keys.keyId);
    const index = new HistoryIndex(options.limits);
    const refs = new Map<string, SentRef[]>();
    const refsPerUser = options.refsPerUser ?? REFS_PER_USER;
    let tornTail: { path: string; handle: FileHandle; tail: Buffer; goodBytes: number } | undefined;
    for (const [position, number] of numbers.entries()) {
      const name = segmentName(number);
      const path = join(dir, name);
      // One segment in memory at a time: they are a few MiB each.
      const bytes = await readFile(path);
      const newest = position === numbers.length - 1;
      const header = decodeHeader(bytes);
      const headerProblem =
        'problem' in header
          ? header.problem
          : !header.keyCheck.equals(keys.keyCheck)
            ? 'it was sealed with another key than the rest of the store'
            : header.segment !== number
              ? `its header says segment ${header.segment}`
              : undefined;
      if (headerProblem !== undefined) {
        const problem: ScanProblem = { kind: 'damaged', offset: 0, what: headerProblem };
        if (!readOnly) throw damagedError(path, problem);
        report.problems.push({ file: name, problem, bytesAfter: bytes.length });
        continue;
      }
      const scan = scanSegment(keys, bytes, newest);
      const handle = await open(path, readOnly ? 'r' : newest ? 'r+' : 'r');
      const createdAt = scan.records[0]?.message.ts ?? now();
      const segment = new Segment(
        number,
        path,
        handle,
        scan.goodBytes,
        scan.records.length,
        createdAt,
      );
      segments.set(number, segment);
      for (const record of scan.records) {
        const { message, ref } = record;
        if (ref !== undefined)
          remember(refs, refsPerUser, {
            user: message.from,
            ref,
            conversation: conversationOf(message),
            id: message.id,
            ts: message.ts,
          });
        if (!index.add(conversationOf(message), message, segment, record.offset, record.bytes)) {
          const problem: ScanProblem = {
            kind: 'damaged',
            offset: record.offset,
            what: `record ${message.id} repeats an id or goes back`,
          };
          if (!readOnly) throw damagedError(path, problem);
          report.problems.push({ file: name, problem, bytesAfter: bytes.length - record.offset });
        }
      }
      report.segments += 1;
      report.records += scan.records.length;
      report.bytes += scan.goodBytes;
      if (scan.problem === undefined) continue;
      const bytesAfter = bytes.length - scan.goodBytes;
      if (readOnly) {
        report.problems.push({ file: name, problem: scan.problem, bytesAfter });
        continue;
      }
      if (scan.problem.kind === 'damaged')
        throw damagedError(path, scan.problem, ` (${bytesAfter} bytes from there on)`);
      tornTail = {
        path,
        handle,
        tail: Buffer.from(bytes.subarray(scan.goodBytes)),
        goodBytes: scan.goodBytes,
      };
    }
    // Without the ids a room ended at, a room retention emptied would start
    // again at 1 under the same epoch: clients would take new messages for old.
    const sequences = await readOptionalFile(join(dir, SEQUENCE_FILE));
    if (sequences !== undefined) {
      const ids = openSequences(keys, sequences);
      if (ids === undefined) {
        const problem: ScanProblem = {
          kind: 'damaged',
          offset: 0,
          what: 'it does not open with this key (damaged or altered)',
        };
        if (!readOnly) throw damagedError(join(dir, SEQUENCE_FILE), problem);
        report.problems.push({ file: SEQUENCE_FILE, problem, bytesAfter: sequences.length });
      }
      for (const [conversation, id] of ids ?? []) index.seedLastId(conversation, id);
    }
    if (!readOnly) {
      // Every check passed: now the repairs. A compaction or a segment the
      // process did not finish left a .tmp (the file it was replacing is intact).
      for (const name of names.filter((n) => n.endsWith('.tmp'))) await unlink(join(dir, name));
      if (emptyNewest !== undefined) await unlink(join(dir, emptyNewest));
      if (tornTail) {
        // A write the process did not finish, so never acknowledged. Its bytes are kept aside.
        const { path, handle, tail, goodBytes } = tornTail;
        const savedAs = `${path}.cut-${new Date(now()).toISOString().replace(/[:.]/g, '-')}`;
        await writeFile(savedAs, tail, { mode: SECRET_MODE });
        await handle.truncate(goodBytes);
        await handle.datasync();
        report.cut = { file: path, bytes: tail.length, savedAs };
      }
      if (segments.size === 0) {
        const segment = await createSegment(dir, keys, (numbers.at(-1) ?? 0) + 1, now());
        segments.set(segment.number, segment);
      }
    }
    return { keys, refs, index, segments, report, lock };
  } catch (error) {
    for (const segment of segments.values()) segment.retire();
    if (lock) await releaseLock(lock);
    throw error;
  }
}

// Keeps the newest `cap` per user; trimmed in batches, not on every record.
function remember(refs: Map<string, SentRef[]>, cap: number, sent: SentRef): void {
  const list = refs.get(sent.user) ?? [];
  list.push(sent);
  if (list.length >= cap * 2) list.splice(0, list.length - cap);
  refs.set(sent.user, list);
}

/**
 * Begins segment `number`: the header is written and synced under a .tmp
 * name, then renamed into place and the directory synced, so a segment file
 * never exists without its whole header. A failure (a full disk) leaves no
 * segment behind, and the next try starts over.
 */
export async function createSegment(
  dir: string,
  keys: HistoryKeys,
  number: number,
  now: number,
): Promise<Segment> {
  const path = join(dir, segmentName(number));
  const tmp = `${path}.tmp`;
  try {
    await writeFile(tmp, headerFor(keys, number), { mode: SECRET_MODE, flush: true });
    await rename(tmp, path);
    await syncDir(dir);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  return new Segment(number, path, await open(path, 'r+'), HEADER_BYTES, 0, now);
}

/** The header of segment `number` of a store sealed with `keys`. */
export function headerFor(keys: HistoryKeys, number: number): Buffer {
  return encodeHeader({
    version: FORMAT_VERSION,
    keySource: keys.source,
    scrypt: keys.scrypt,
    salt: keys.salt,
    keyId: keys.keyId,
    keyCheck: keys.keyCheck,
    segment: number,
  });
}

/** Makes a rename or an unlink in `dir` durable. */
export async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

function historyLock(dir: string): LockSpec {
  const path = join(dir, '.lock');
  const hint = `stop the other chat serve using ${dir}, or remove ${path} if none is running`;
  return {
    path,
    dir,
    hint,
    busy: () =>
      new ChatError('BUSY', `another chat serve is using the history in ${dir}`, { hint }),
  };
}

async function listDir(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return [];
    throw fileError(error, dir, 'check the directory and its permissions', 'read');
  }
}

async function readOptionalFile(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined;
    throw fileError(error, path, 'check the file and its permissions', 'read');
  }
}

// The first HEADER_BYTES of a file (fewer when it is shorter).
async function readStart(path: string): Promise<Buffer> {
  const handle = await open(path, 'r');
  try {
    const start = Buffer.alloc(HEADER_BYTES);
    const { bytesRead } = await handle.read(start, 0, HEADER_BYTES, 0);
    return start.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
