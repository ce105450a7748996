/**
 * How fast the TUI keeps up, in-process: the reducer under a flood, a frame
 * of ChatScreen with 100,000 messages in the room, and keystroke-to-screen
 * while 1,000 messages/s arrive. Ink draws to ink-testing-library's fake
 * stdout (debug mode: every frame written in full, unthrottled), so no
 * terminal I/O is counted beyond Ink's rendering. React's build follows
 * NODE_ENV, as in the app (development unless NODE_ENV=production).
 * Bounded: fixed counts and a deadline per case; about 20-40 s, under 10 s
 * with --quick (fewer rounds, no 5,000-line frame case).
 */
import { loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { render } from 'ink-testing-library';
import { type ReactNode, useReducer } from 'react';
import stripAnsi from 'strip-ansi';
import { formatTable } from '../src/commands/format-table.ts';
import type { ServerFrameOf } from '../src/net/protocol/frames.ts';
import { InputBox } from '../src/ui/components/InputBox.tsx';
import { useInputKeys } from '../src/ui/hooks/use-input-keys.ts';
import { COMMANDS } from '../src/ui/input/command-parser.ts';
import {
  type ChatAction,
  type ChatState,
  chatReducer,
  completionCandidates,
  DEFAULT_MAX_LINES,
  initialChatState,
} from '../src/ui/state/chat-state.ts';
import { ChatScreen } from '../src/ui/tui/ChatScreen.tsx';

const quick = process.argv.includes('--quick');
const MESSAGES = 100_000;
/** What 16 ms batching gathers at about 2,000 messages/s. */
const REDUCER_BATCH = 33;
/** Batches applied to the room that keeps 100,000 lines (each copies its lines). */
const BIG_BATCHES = quick ? 30 : 300;
const RERENDERS = quick ? 50 : 200;
/** Each frame case stops here even if fewer than RERENDERS were done. */
const RERENDER_DEADLINE_MS = quick ? 700 : 8_000;
const COLUMNS = 100;
const ROWS = 30;
/** The flood: 1,000 messages/s, dispatched every 16 ms (16 a batch when on time). */
const FLOOD_PER_MS = 1;
const FLOOD_EVERY_MS = 16;
const KEY_EVERY_MS = 50;
const KEYS = quick ? 100 : 200;
/** Longest wait for a keystroke's frame before counting it as not shown. */
const KEY_DEADLINE_MS = 2_000;
/** The typing stops here even if fewer than KEYS were typed. */
const TYPING_DEADLINE_MS = KEYS * KEY_EVERY_MS + (quick ? 300 : 1_000);

// Noon UTC: 100,000 messages half a millisecond apart stay within one day,
// so the room holds exactly one line per message.
const T0 = Date.UTC(2026, 10, 24, 12, 0);
const NOW = T0 + 3_600_000;
const ROOM = '#general';
const SENDERS = ['bob', 'carol', 'dave', 'erin', 'frank', 'grace'];
const WORDS =
  'the build is green again after we fixed that flaky test so please ship it before lunch and tell ops about the new release notes'.split(
    ' ',
  );

const WELCOME: ServerFrameOf<'welcome'> = {
  type: 'welcome',
  v: 1,
  user: 'alice',
  server: 'bench',
  motd: '',
  rooms: [
    { room: ROOM, topic: 'Benchmarks', members: ['alice', ...SENDERS], lastId: 0 },
    { room: '#dev', topic: '', members: ['alice', 'bob'], lastId: 0 },
  ],
  users: ['alice', ...SENDERS].map((user) => ({ user, status: 'online' as const })),
  limits: {
    maxFrameBytes: 65_536,
    maxTextChars: 4_000,
    ratePerSecond: 10,
    rateBurst: 20,
    maxHistory: 200,
  },
};

/** Message `id`: mostly one row, every 10th wraps over several, every 50th mentions alice. */
function message(id: number): ChatAction {
  const length = id % 10 === 0 ? 45 : 3 + (id % 12);
  const words = Array.from({ length }, (_, i) => WORDS[(id * 7 + i) % WORDS.length]).join(' ');
  const text = `${id % 50 === 0 ? 'alice: ' : ''}${words} #${id}`;
  return {
    type: 'message',
    frame: {
      type: 'msg',
      id,
      ts: T0 + Math.floor(id / 2),
      room: ROOM,
      from: SENDERS[id % SENDERS.length] as string,
      text,
    },
  };
}

function batchOf(first: number, count: number): ChatAction {
  return {
    type: 'batch',
    actions: Array.from({ length: count }, (_, i) => message(first + i)),
  };
}

/** Connected as alice with #general current, lines bounded at `maxLines`. */
function connected(maxLines: number): ChatState {
  const start = initialChatState({
    server: 'localhost:7000',
    bell: false,
    timeZone: 'UTC',
    maxLines,
  });
  return [
    { type: 'welcome', frame: WELCOME },
    { type: 'clientState', state: 'connected', tlsVersion: 'TLSv1.3', now: T0 },
  ].reduce<ChatState>((state, action) => chatReducer(state, action as ChatAction), start);
}

function linesIn(state: ChatState): number {
  return state.conversations[ROOM]?.lines.length ?? 0;
}

/** Applies `count` messages after `from`'s in batches of REDUCER_BATCH; times each batch. */
function flood(
  maxLines: number,
  count: number,
  from: ChatState = connected(maxLines),
): { state: ChatState; batchMs: number[] } {
  let state = from;
  const firstId = (from.conversations[ROOM]?.lastId ?? 0) + 1;
  const batchMs: number[] = [];
  for (let first = firstId; first < firstId + count; first += REDUCER_BATCH) {
    const action = batchOf(first, Math.min(REDUCER_BATCH, firstId + count - first));
    const start = performance.now();
    state = chatReducer(state, action);
    batchMs.push(performance.now() - start);
  }
  return { state, batchMs };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

/** Lets Ink's effects run (the stdin listener is attached in one). */
async function settle(): Promise<void> {
  await sleep(0);
  await new Promise((resolve) => setImmediate(resolve));
}

/** Calls `seen` with each frame Ink writes to the fake stdout, after it is stored. */
function watchFrames(
  stdout: { write: (frame: string) => void },
  seen: (frame: string) => void,
): void {
  const write = stdout.write;
  stdout.write = (frame: string) => {
    write(frame);
    seen(frame);
  };
}

function lastLine(frame: string): string {
  return stripAnsi(frame.slice(frame.lastIndexOf('\n') + 1)).trimEnd();
}

const noop = () => {};

/** The screen with an idle input line, as App draws it. */
function StillScreen({ state }: { state: ChatState }): ReactNode {
  return (
    <ChatScreen
      state={state}
      columns={COLUMNS}
      rows={ROWS}
      now={NOW}
      input={
        <InputBox
          prompt={`[${state.current ?? '…'}] `}
          width={COLUMNS}
          value="a draft"
          cursor={7}
          focus={false}
        />
      }
    />
  );
}

/** How the flood reaches the screen's reducer, and the draft as last rendered. */
type Driver = { dispatch: (action: ChatAction) => void; draft: string };

/** App's screen, input keys and candidates, with the state driven from outside. */
function TypingScreen({ initial, driver }: { initial: ChatState; driver: Driver }): ReactNode {
  const [state, dispatch] = useReducer(chatReducer, initial);
  driver.dispatch = dispatch;
  const candidates = {
    ...completionCandidates(state),
    commands: COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]),
  };
  const input = useInputKeys({ candidates, onSubmit: noop, focus: true });
  driver.draft = input.value;
  return (
    <ChatScreen
      state={state}
      columns={COLUMNS}
      rows={ROWS}
      now={NOW}
      input={
        <InputBox
          prompt={`[${state.current ?? '…'}] `}
          width={COLUMNS}
          value={input.value}
          cursor={input.cursor}
          focus={true}
        />
      }
    />
  );
}

interface Row {
  name: string;
  count: number;
  samples?: number[];
  totalMs?: number;
  perMessageUs?: number;
  note?: string;
}

/**
 * Types KEYS characters, one every KEY_EVERY_MS, into the real input path
 * (stdin, Ink's key parser, useInputKeys, InputBox) while
 * messages arrive at FLOOD_PER_MS, dispatched every FLOOD_EVERY_MS as the
 * app's batching does (all those due: a late tick carries more, so the rate
 * holds). For each key, the time to the first frame whose input row ends
 * with it (keys cycle a..z, so no two in a row are alike): from when the
 * key is written to stdin, and from when it was due (adding any wait behind
 * a flood frame in progress, and timer slop).
 */
async function typing(label: string, initial: ChatState): Promise<Row[]> {
  const driver: Driver = { dispatch: noop, draft: '' };
  const app = render(<TypingScreen initial={initial} driver={driver} />);
  let expected: { key: string; done: () => void } | undefined;
  let floodSent: number | undefined;
  const floodMs: number[] = [];
  watchFrames(app.stdout, (frame) => {
    const at = performance.now();
    if (floodSent !== undefined) {
      floodMs.push(at - floodSent);
      floodSent = undefined;
    }
    if (expected !== undefined && lastLine(frame).endsWith(expected.key)) {
      const { done } = expected;
      expected = undefined;
      done();
    }
  });
  await settle();

  const firstId = (initial.conversations[ROOM]?.lastId ?? 0) + 1;
  const maxMessages = Math.ceil(TYPING_DEADLINE_MS * FLOOD_PER_MS) + 100;
  let sent = 0;
  let batches = 0;
  const floodStart = performance.now();
  const timer = setInterval(() => {
    const due = Math.min(maxMessages, Math.floor((performance.now() - floodStart) * FLOOD_PER_MS));
    if (due <= sent) return;
    const action = batchOf(firstId + sent, due - sent);
    sent = due;
    batches += 1;
    floodSent = performance.now();
    driver.dispatch(action);
  }, FLOOD_EVERY_MS);

  const fromRead: number[] = [];
  const fromDue: number[] = [];
  let typed = '';
  let unseen = 0;
  const start = performance.now() + KEY_EVERY_MS;
  try {
    for (let k = 0; k < KEYS && performance.now() - floodStart < TYPING_DEADLINE_MS; k++) {
      const due = start + k * KEY_EVERY_MS;
      await sleep(due - performance.now());
      const key = String.fromCharCode(97 + (k % 26));
      typed += key;
      let deadline: NodeJS.Timeout | undefined;
      const shown = new Promise<boolean>((resolve) => {
        expected = { key, done: () => resolve(true) };
        deadline = setTimeout(() => resolve(false), KEY_DEADLINE_MS);
      });
      const read = performance.now();
      app.stdin.write(key);
      const ok = await shown;
      const at = performance.now();
      clearTimeout(deadline);
      expected = undefined;
      if (!ok) {
        unseen += 1;
        continue;
      }
      fromRead.push(at - read);
      fromDue.push(at - due);
    }
  } finally {
    clearInterval(timer);
  }
  const seconds = (performance.now() - floodStart) / 1000;
  await settle();
  app.unmount();
  const missing = typed.length - driver.draft.length;
  const keyNotes = [
    ...(unseen > 0 ? [`${unseen} never shown`] : []),
    ...(driver.draft === typed ? [] : [`draft lost ${missing} of ${typed.length} chars`]),
  ];
  const measures = performance.getEntriesByType('measure').length;
  return [
    {
      name: `keystroke → frame, from key read (${label})`,
      count: fromRead.length,
      samples: fromRead,
      note: keyNotes.join('; '),
    },
    {
      name: `keystroke → frame, from key due (${label})`,
      count: fromDue.length,
      samples: fromDue,
      note: 'incl. waiting behind a flood frame',
    },
    {
      name: `flood batch → frame (${label})`,
      count: floodMs.length,
      samples: floodMs,
      note: [
        `reducer + render; ${Math.round(sent / seconds)} msg/s in ${batches} batches`,
        ...(measures > 0 ? [`${measures} React perf measures kept by Node`] : []),
      ].join('; '),
    },
  ];
}

/**
 * React's development build records every component render with
 * performance.measure, and Node keeps those entries: drop them between
 * cases so one case's leftovers do not slow the next.
 */
function forgetMeasures(): void {
  performance.clearMeasures();
  performance.clearMarks();
}

/** The first frame of `state`, then RERENDERS rerenders each with one more message. */
function frames(label: string, state: ChatState, first: string): Row[] {
  forgetMeasures();
  let start = performance.now();
  const app = render(<StillScreen state={state} />);
  const firstMs = performance.now() - start;
  const lastId = state.conversations[ROOM]?.lastId ?? 0;
  if (!stripAnsi(app.lastFrame() ?? '').includes(`#${lastId}`)) {
    throw new Error(`the first frame does not show message ${lastId}`);
  }
  const renderMs: number[] = [];
  let next = state;
  const stop = performance.now() + RERENDER_DEADLINE_MS;
  for (let id = lastId + 1; renderMs.length < RERENDERS && performance.now() < stop; id++) {
    next = chatReducer(next, message(id));
    start = performance.now();
    app.rerender(<StillScreen state={next} />);
    renderMs.push(performance.now() - start);
    if (!stripAnsi(app.lastFrame() ?? '').includes(`#${id}`)) {
      throw new Error(`the rerender did not show message ${id}`);
    }
  }
  app.unmount();
  return [
    { name: `first frame, ${label} (${first})`, count: 1, totalMs: firstMs },
    {
      name: `rerender, one new message, ${label}`,
      count: renderMs.length,
      samples: renderMs,
      totalMs: renderMs.reduce((a, b) => a + b, 0),
      note: renderMs.length < RERENDERS ? `stopped at the ${RERENDER_DEADLINE_MS} ms deadline` : '',
    },
  ];
}

function reducerRow(name: string, batchMs: number[], messages: number, note: string): Row {
  const total = batchMs.reduce((a, b) => a + b, 0);
  return {
    name,
    count: batchMs.length,
    samples: batchMs,
    totalMs: total,
    perMessageUs: (total * 1000) / messages,
    note: `per batch; ${note}`,
  };
}

const rows: Row[] = [];

// 1. The reducer: a flood into a room at the app's default bound, then
// batches into a room that keeps 100,000 lines (each batch copies them).
const bounded = flood(DEFAULT_MAX_LINES, MESSAGES);
rows.push(
  reducerRow(
    `reducer, ${MESSAGES} msgs in batches of ${REDUCER_BATCH}, room bounded at ${DEFAULT_MAX_LINES}`,
    bounded.batchMs,
    MESSAGES,
    `${linesIn(bounded.state)} lines held`,
  ),
);
const big = chatReducer(connected(MESSAGES * 2), batchOf(1, MESSAGES));
if (linesIn(big) !== MESSAGES) throw new Error(`expected ${MESSAGES} lines, got ${linesIn(big)}`);
{
  const more = flood(MESSAGES * 2, BIG_BATCHES * REDUCER_BATCH, big);
  rows.push(
    reducerRow(
      `reducer, ${BIG_BATCHES} batches of ${REDUCER_BATCH} onto a room of ${MESSAGES} lines`,
      more.batchMs,
      BIG_BATCHES * REDUCER_BATCH,
      'maxLines raised',
    ),
  );
}

// 2. A frame of the screen with 100,000 lines in the room, then at the app's bound.
rows.push(...frames(`${MESSAGES} lines`, big, 'cold: JIT warm-up included'));
if (!quick) {
  rows.push(...frames(`${DEFAULT_MAX_LINES} lines (default bound)`, bounded.state, 'warm'));
}

// 3. Typing during a flood of 1,000 messages/s, in a room at the app's bound.
forgetMeasures();
rows.push(...(await typing(`${DEFAULT_MAX_LINES} lines`, bounded.state)));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const ms = (n: number | undefined, digits = 2) => (n === undefined ? '-' : n.toFixed(digits));
const react =
  process.env.NODE_ENV === 'production'
    ? 'production'
    : `development (NODE_ENV ${process.env.NODE_ENV ?? 'unset'}, as bin/chat.js runs it)`;
console.log(
  [
    `TUI, in-process: Ink renders ${COLUMNS}x${ROWS} to ink-testing-library's fake stdout (no terminal I/O). React build: ${react}. Load average ${loadavg()[0]?.toFixed(1)}.`,
    `  reducer: ${MESSAGES} room messages in batches of ${REDUCER_BATCH} (16 ms batching at ~2,000 msg/s); then batches onto a room keeping ${MESSAGES} lines (maxLines raised).`,
    '  first frame / rerender: ChatScreen with an InputBox, the room holding that many lines; one new message per rerender.',
    `  keystroke: a key into stdin every ${KEY_EVERY_MS} ms while ${FLOOD_PER_MS * 1000} msg/s are dispatched every ${FLOOD_EVERY_MS} ms, timed to the first frame showing it.`,
  ].join('\n'),
);
console.log(
  formatTable([
    ['CASE', 'N', 'TOTAL ms', 'MEDIAN ms', 'P99 ms', 'MAX ms', 'PER MSG us', 'NOTE'],
    ...rows.map((r) => {
      const sorted = r.samples === undefined ? undefined : [...r.samples].sort((a, b) => a - b);
      return [
        r.name,
        String(r.count),
        ms(r.totalMs, 1),
        sorted === undefined ? '-' : ms(percentile(sorted, 50)),
        sorted === undefined ? '-' : ms(percentile(sorted, 99)),
        sorted === undefined ? '-' : ms(sorted.at(-1)),
        ms(r.perMessageUs),
        r.note ?? '',
      ];
    }),
  ]),
);
// Ink's stdin listeners can keep the loop alive after the last unmount.
process.exit(0);
