import { EventEmitter } from 'node:events';
import { StringDecoder } from 'node:string_decoder';

/** pino's level names, lowest first. */
export type LogLevelName = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/** One log line, parsed for the dashboard's log pane. */
export interface LogRecord {
  /** 1 for the first record this buffer saw, then 2, 3, ... (never reused). */
  seq: number;
  /** When it was logged, epoch ms (the time of arrival if the line had none). */
  time: number;
  level: LogLevelName;
  msg: string;
  /** The record minus level, time, msg, service, pid and hostname. */
  fields: Record<string, unknown>;
}

/** Records kept by default. */
const DEFAULT_CAPACITY = 1000;
/** A line longer than this, in characters, is cut there: the buffer of a partial line stays bounded. */
const MAX_LINE_CHARS = 64 * 1024;
/** pino's numeric levels, highest first, so any number maps to the level at or below it. */
const LEVELS: ReadonlyArray<readonly [number, LogLevelName]> = [
  [60, 'fatal'],
  [50, 'error'],
  [40, 'warn'],
  [30, 'info'],
  [20, 'debug'],
  [10, 'trace'],
];
const LEVEL_NAMES: ReadonlySet<string> = new Set(LEVELS.map(([, name]) => name));
const NOT_FIELDS: ReadonlySet<string> = new Set([
  'level',
  'time',
  'msg',
  'service',
  'pid',
  'hostname',
]);

/**
 * The newest log records in memory, for the dashboard's log pane: a pino
 * destination (alone, or one stream of `pino.multistream`) that parses each
 * JSON line, keeps the last `capacity` records and emits each as `record`.
 * A listener that throws throws into the logging call.
 */
export class LogBuffer extends EventEmitter<{ record: [LogRecord] }> {
  private readonly ring: LogRecord[] = [];
  /** Index in `ring` of the oldest record once it is full. */
  private start = 0;
  private seq = 0;
  /** The start of a line whose end has not arrived yet. */
  private partial = '';
  /** Set while the rest of an over-long line is skipped. */
  private skipping = false;
  private snapshot: readonly LogRecord[] | undefined;
  private readonly decoder = new StringDecoder('utf8');

  /**
   * @param capacity records kept, at least 1
   * @param now clock for records without a parsable time, epoch ms
   */
  constructor(
    private readonly capacity = DEFAULT_CAPACITY,
    private readonly now: () => number = Date.now,
  ) {
    super();
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`capacity must be an integer >= 1, got ${capacity}`);
    }
  }

  /**
   * pino destination: takes one or more newline-terminated JSON lines per
   * call (a line may be split across calls, a Buffer mid-character); a line
   * that is not a JSON object becomes an 'info' record with the raw text as
   * msg. Always true: nothing is ever waiting to be written.
   */
  write(chunk: string | Uint8Array): boolean {
    let text = typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let newline = text.indexOf('\n');
    while (newline >= 0) {
      const end = text.slice(0, newline);
      text = text.slice(newline + 1);
      if (this.skipping) this.skipping = false;
      else this.line(this.partial + end);
      this.partial = '';
      newline = text.indexOf('\n');
    }
    if (!this.skipping) {
      this.partial += text;
      if (this.partial.length > MAX_LINE_CHARS) {
        this.line(this.partial);
        this.partial = '';
        this.skipping = true;
      }
    }
    return true;
  }

  /** Takes a last line that had no newline; pino's multistream calls it on `end()`. */
  end(): void {
    const rest = this.partial + this.decoder.end();
    this.partial = '';
    if (!this.skipping && rest !== '') this.line(rest);
    this.skipping = false;
  }

  /** Oldest first, at most capacity. The same array until the next record arrives. */
  records(): readonly LogRecord[] {
    this.snapshot ??=
      this.start === 0
        ? this.ring.slice()
        : [...this.ring.slice(this.start), ...this.ring.slice(0, this.start)];
    return this.snapshot;
  }

  private line(raw: string): void {
    const cut = raw.length > MAX_LINE_CHARS ? raw.slice(0, MAX_LINE_CHARS) : raw;
    const text = cut.endsWith('\r') ? cut.slice(0, -1) : cut;
    if (text.trim() === '') return;
    this.keep(this.parse(text));
  }

  /**
   * Takes records parsed elsewhere (another thread's LogBuffer), in order,
   * as if written here: kept, numbered on, and announced.
   */
  adopt(records: readonly LogRecord[]): void {
    for (const record of records) this.keep({ ...record, seq: ++this.seq });
  }

  private keep(record: LogRecord): void {
    if (this.ring.length < this.capacity) this.ring.push(record);
    else {
      this.ring[this.start] = record;
      this.start = (this.start + 1) % this.capacity;
    }
    this.snapshot = undefined;
    this.emit('record', record);
  }

  private parse(text: string): LogRecord {
    const seq = ++this.seq;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON: shown as it is, below.
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      return { seq, time: this.now(), level: 'info', msg: text, fields: {} };
    }
    const object = parsed as Record<string, unknown>;
    const fields: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(object))
      if (!NOT_FIELDS.has(key)) fields[key] = value;
    return {
      seq,
      time: timeOf(object.time) ?? this.now(),
      level: levelOf(object.level),
      msg:
        typeof object.msg === 'string'
          ? object.msg
          : object.msg === undefined
            ? ''
            : String(object.msg),
      fields,
    };
  }
}

/** pino writes numbers (10..60), or labels with a level formatter; anything else is info. */
function levelOf(level: unknown): LogLevelName {
  if (typeof level === 'number') {
    for (const [value, name] of LEVELS) if (level >= value) return name;
    return 'trace';
  }
  if (typeof level === 'string' && LEVEL_NAMES.has(level)) return level as LogLevelName;
  return 'info';
}

/** pino's isoTime writes an ISO string, its default epoch ms. */
function timeOf(time: unknown): number | undefined {
  const ms = typeof time === 'number' ? time : typeof time === 'string' ? Date.parse(time) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}
