import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseServerFrame } from '../../src/net/protocol/codec.ts';
import type { RoomMessage, ServerFrame, ServerFrameOf } from '../../src/net/protocol/frames.ts';
import { lineRows } from '../../src/ui/components/message-rows.ts';
import { chatReducer, initialChatState } from '../../src/ui/state/chat-state.ts';
import { makeTeam, type Started, startServer, type Team } from '../helpers/chat-server.ts';
import {
  assertServed,
  closeServer,
  disconnected,
  drainOrClose,
  forceGc,
  HELLO,
  heapAndBuffers,
  helloPeer,
  line,
  MIB,
  type Peer,
  sendLine,
  summary,
  TEST,
  WAIT_MS,
  withDeadline,
} from '../helpers/hostile.ts';

/**
 * Hostile bytes after a good handshake and hello (issue 8): a 10 MiB line,
 * and lines that are not UTF-8, not JSON, not a known frame, or a frame with
 * missing, extra, `__proto__` fields or control characters in its text.
 * Each gets an error frame; nothing invalid reaches bob, a witness in
 * #general whose every frame is recorded; and the text that is valid but
 * holds tabs or invisible format characters is drawn harmless by the TUI.
 */

let team: Team;
let started: Started;
let witness: Peer;

before(async () => {
  team = await makeTeam(['alice', 'bob', 'carol']);
  // Alice sends two messages per case: the rate limit is another suite's subject.
  started = await startServer(team, { ratePerSecond: 1_000, rateBurst: 1_000 });
  witness = await helloPeer(started, await team.credentials('bob'));
});

after(async () => {
  await witness?.end();
  await closeServer(started);
  await team?.dir.cleanup();
});

/** Sends a valid message from `peer` and waits until it is acked and the witness has it. */
async function roundTrip(peer: Peer, text: string, ref: string): Promise<void> {
  const from = peer.frames.length;
  const witnessFrom = witness.frames.length;
  peer.socket.write(sendLine(text, ref));
  const answer = await peer.waitFrame(
    (f) => (f.type === 'ack' || f.type === 'error') && f.ref === ref,
    `answer to ${ref}`,
    { from },
  );
  assert.equal(answer.type, 'ack', JSON.stringify(answer));
  await witness.waitFrame((f) => f.type === 'msg' && f.text === text, `${ref} at the witness`, {
    from: witnessFrom,
  });
}

/** Heap plus Buffers still reachable after a full collection, in bytes. */
async function retained(): Promise<number> {
  forceGc();
  // Backing stores of collected Buffers are released a tick later.
  await new Promise((resolve) => setImmediate(resolve));
  forceGc();
  return heapAndBuffers();
}

describe('10 MiB without a newline', () => {
  it('fatal line_too_long at 64 KiB, closed, server memory bounded', TEST, async (t) => {
    // It ignores the server's half-close and writes all 10 MiB into the
    // socket that the server drains unread during its goodbye.
    const peer = await helloPeer(started, await team.credentials('alice'), { allowHalfOpen: true });
    const gone = disconnected(started, (info) => info.user === 'alice');
    const total = 10 * MIB;
    const chunk = Buffer.alloc(64 * 1024, 'a');
    // Server and client share this process: a server that kept the line
    // would retain at least 10 MiB of Buffers, or 20 MiB of string.
    const base = await retained();
    const baseRss = process.memoryUsage.rss();
    let peak = 0;
    let kept = 0;
    let sent = 0;
    while (sent < total && !peer.socket.destroyed) {
      sent += chunk.length;
      const more = peer.socket.write(chunk);
      peak = Math.max(peak, heapAndBuffers() - base);
      if (sent % MIB === 0) kept = Math.max(kept, (await retained()) - base);
      if (!more) await drainOrClose(peer.socket);
    }
    peer.socket.end();
    await withDeadline(peer.closed, WAIT_MS, 'close after line_too_long');
    const info = await withDeadline(gone, WAIT_MS, 'disconnect event');
    kept = Math.max(kept, (await retained()) - base);
    const rss = process.memoryUsage.rss() - baseRss;
    const mib = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB`;
    const report = `client wrote ${mib(sent)}, server counted ${info.bytesIn} bytes; heap+buffers growth: retained after GC at most ${mib(kept)} (sampled every MiB and after close), peak without GC ${mib(peak)}; rss growth ${mib(rss)}`;
    t.diagnostic(report);

    // After the welcome and the unread that helloPeer waited for.
    assert.deepEqual(summary(peer.frames.slice(2)), ['line_too_long fatal=true']);
    const [, , error] = peer.frames;
    assert.ok(error?.type === 'error');
    assert.match(error.message, /65536 bytes/);
    assert.equal(info.reason, 'line_too_long');
    assert.ok(
      info.bytesIn <= 2 * 64 * 1024,
      `the server read ${info.bytesIn} bytes: no more than the limit and one chunk`,
    );
    assert.ok(kept < 4 * MIB, report);
    assert.ok(peak < 32 * MIB, report);
    assert.ok(rss < 32 * MIB, report);
    await assertServed(team, started, witness);
  });
});

/** Bytes of an unfinished line dripped one TLS record at a time. */
const DRIP_BYTES = 16 * 1024;

describe('a line dripped one byte per TLS record', () => {
  it('holds about its size in server memory, not an object per record', TEST, async (t) => {
    const peer = await helloPeer(started, await team.credentials('alice'));
    try {
      const base = await retained();
      const one = Buffer.from('a');
      // Each write waits for the last, so each byte is a TLS record of its
      // own and reaches the server as a chunk of its own.
      for (let i = 0; i < DRIP_BYTES; i += 1) {
        await new Promise<void>((resolve) => peer.socket.write(one, () => resolve()));
      }
      const expected = HELLO.length + DRIP_BYTES;
      const bytesIn = () =>
        started.server.stats().connections.find((c) => c.user === 'alice')?.bytesIn ?? 0;
      // No event tells that the server has read them: look once per turn of the loop.
      await withDeadline(
        new Promise<void>((resolve) => {
          const look = () => (bytesIn() >= expected ? resolve() : setImmediate(look));
          look();
        }),
        WAIT_MS,
        'the server reading the dripped bytes',
      );
      const growth = (await retained()) - base;
      t.diagnostic(
        `${DRIP_BYTES} bytes of an unfinished line, one per TLS record: retained growth ${(growth / MIB).toFixed(2)} MiB (${Math.round(growth / DRIP_BYTES)} bytes per byte)`,
      );
      // A 64 KiB line sent this way would hold about 14 MiB per connection.
      assert.ok(growth < MIB, `retained ${(growth / MIB).toFixed(2)} MiB for ${DRIP_BYTES} bytes`);
    } finally {
      await peer.end();
    }
    await assertServed(team, started, witness);
  });
});

describe('invalid lines: a non-fatal error each, nothing relayed', () => {
  const send = (fields: string) => `{"type":"send","room":"#general",${fields}}\n`;
  // A send whose text holds these raw bytes.
  const textBytes = (raw: number[]) =>
    Buffer.concat([
      Buffer.from('{"type":"send","room":"#general","text":"'),
      Buffer.from(raw),
      Buffer.from('","ref":"r0"}\n'),
    ]);
  const cases: Array<{ name: string; bytes: string | Buffer; code: string; ref?: string }> = [
    { name: 'invalid UTF-8 bytes', bytes: textBytes([0xc3, 0x28, 0xff, 0xfe]), code: 'bad_utf8' },
    { name: 'an overlong UTF-8 encoding', bytes: textBytes([0xc0, 0xaf]), code: 'bad_utf8' },
    {
      name: 'a surrogate encoded as UTF-8',
      bytes: textBytes([0xed, 0xa0, 0x80]),
      code: 'bad_utf8',
    },
    { name: 'truncated JSON', bytes: '{"type":"send",\n', code: 'bad_json' },
    { name: 'JSON that is not an object', bytes: '[1,2,3]\n', code: 'bad_json' },
    {
      name: 'a raw ESC byte inside a JSON string',
      bytes: send('"text":"\u001b[2J","ref":"r1"'),
      code: 'bad_json',
    },
    {
      name: 'an unknown frame type',
      bytes: '{"type":"shout","text":"hi"}\n',
      code: 'unknown_type',
    },
    { name: '"__proto__" as frame type', bytes: '{"type":"__proto__"}\n', code: 'unknown_type' },
    {
      name: '"constructor" as frame type',
      bytes: '{"type":"constructor"}\n',
      code: 'unknown_type',
    },
    { name: 'no type', bytes: '{"room":"#general","text":"hi"}\n', code: 'invalid_frame' },
    { name: 'a missing text', bytes: send('"ref":"r2"'), code: 'invalid_frame', ref: 'r2' },
    { name: 'a missing ref', bytes: send('"text":"no ref"'), code: 'invalid_frame' },
    {
      name: 'a text of the wrong type',
      bytes: send('"text":42,"ref":"r3"'),
      code: 'invalid_frame',
      ref: 'r3',
    },
    {
      name: 'an extra field',
      bytes: send('"text":"hi","ref":"r4","evil":1'),
      code: 'invalid_frame',
      ref: 'r4',
    },
    {
      name: 'a __proto__ key',
      bytes: send('"text":"hi","ref":"r5","__proto__":{"admin":true}'),
      code: 'invalid_frame',
      ref: 'r5',
    },
    {
      name: 'a constructor key',
      bytes: send('"text":"hi","ref":"r6","constructor":{"prototype":{"admin":true}}'),
      code: 'invalid_frame',
      ref: 'r6',
    },
    {
      name: 'ESC sequences in a text',
      bytes: send('"text":"\\u001b[2J\\u001b]0;pwned\\u0007","ref":"r7"'),
      code: 'invalid_frame',
      ref: 'r7',
    },
    {
      name: 'NUL in a text',
      bytes: send('"text":"a\\u0000b","ref":"r8"'),
      code: 'invalid_frame',
      ref: 'r8',
    },
    {
      name: 'a CR in a text',
      bytes: send('"text":"a\\rb","ref":"r9"'),
      code: 'invalid_frame',
      ref: 'r9',
    },
    {
      name: 'DEL in a text',
      bytes: send('"text":"a\\u007fb","ref":"r10"'),
      code: 'invalid_frame',
      ref: 'r10',
    },
    {
      name: 'the 8-bit CSI in a text',
      bytes: send('"text":"\\u009b31mred","ref":"r11"'),
      code: 'invalid_frame',
      ref: 'r11',
    },
    {
      name: 'a bidi override in a text',
      bytes: send('"text":"abc\\u202edcba","ref":"r12"'),
      code: 'invalid_frame',
      ref: 'r12',
    },
    {
      name: 'a line separator in a text',
      bytes: send('"text":"a\\u2028b","ref":"r13"'),
      code: 'invalid_frame',
      ref: 'r13',
    },
    {
      name: 'a lone surrogate in a text',
      bytes: send('"text":"\\ud800","ref":"r14"'),
      code: 'invalid_frame',
      ref: 'r14',
    },
    { name: 'ESC in a ref', bytes: send('"text":"hi","ref":"r\\u001b15"'), code: 'invalid_frame' },
    {
      name: 'ESC in a direct message to the witness',
      bytes: line({ type: 'dm', to: 'bob', text: '\u001b[2Jgotcha', ref: 'r16' }),
      code: 'invalid_frame',
      ref: 'r16',
    },
    {
      name: 'ESC in a topic',
      bytes: line({ type: 'topic', room: '#general', text: '\u001b]0;pwned\u0007' }),
      code: 'invalid_frame',
    },
    {
      name: 'ESC in an away text',
      bytes: line({ type: 'away', text: '\u001b[5m' }),
      code: 'invalid_frame',
    },
  ];

  for (const [index, { name, bytes: hostileBytes, code, ref }] of cases.entries()) {
    it(`${name}: ${code}`, TEST, async () => {
      const peer = await helloPeer(started, await team.credentials('alice'));
      try {
        // Once bob has this, he has every frame alice's arrival caused.
        await roundTrip(peer, `before ${index}`, `b${index}`);
        const mark = witness.frames.length;
        const peerMark = peer.frames.length;

        peer.socket.write(hostileBytes);
        const error = await peer.waitFrame((f) => f.type === 'error', 'an error frame', {
          from: peerMark,
        });
        assert.ok(error.type === 'error');
        assert.equal(error.code, code, error.message);
        assert.equal(error.fatal, undefined, 'not fatal');
        assert.equal(error.ref, ref);
        assert.match(error.message, /^[\x20-\x7e]{1,200}$/, 'one line of printable ASCII');

        const text = `after ${index}`;
        await roundTrip(peer, text, `a${index}`);
        assert.deepEqual(
          witness.frames
            .slice(mark)
            .map((f) => (f.type === 'msg' ? `${f.from}: ${f.text}` : f.type)),
          [`alice: ${text}`],
          'bob got the valid message after it and nothing else',
        );
        assert.deepEqual(
          summary(peer.frames.slice(peerMark)),
          [`${code} fatal=false`, 'msg', 'ack', 'read'],
          'alice got one error and the echo, ack and read position of the valid one',
        );
      } finally {
        await peer.end();
      }
      await assertServed(team, started, witness);
    });
  }
});

/**
 * The characters in `text` a terminal could act on, as U+XXXX: C0 (newline
 * too, rows are single lines), DEL, C1, bidi controls and line separators.
 */
function unsafe(text: string): string[] {
  const found: string[] = [];
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    const bad =
      code < 0x20 ||
      (code >= 0x7f && code <= 0x9f) ||
      code === 0x061c ||
      code === 0x200e ||
      code === 0x200f ||
      (code >= 0x202a && code <= 0x202e) ||
      (code >= 0x2066 && code <= 0x2069) ||
      code === 0x2028 ||
      code === 0x2029;
    if (bad) found.push(`U+${code.toString(16).padStart(4, '0')}`);
  }
  return found;
}

/** The rows the TUI's message pane draws for these messages, as bob at 60 columns, one string per row. */
function tuiRows(welcome: ServerFrameOf<'welcome'>, messages: RoomMessage[]): string[] {
  let state = initialChatState({ server: 'test', user: 'bob', bell: false, timeZone: 'UTC' });
  state = chatReducer(state, { type: 'welcome', frame: welcome, now: Date.now() });
  for (const frame of messages) state = chatReducer(state, { type: 'message', frame });
  const lines = (state.conversations['#general']?.lines ?? []).filter((l) => l.kind === 'message');
  return lines.flatMap((l) => lineRows(l, 60, 'UTC')).map((row) => row.map((s) => s.text).join(''));
}

describe('control characters that reach the TUI are neutralised', () => {
  it(
    'valid text with tabs, newlines and invisible bidi marks is relayed as sent and drawn inert',
    TEST,
    async () => {
      const peer = await helloPeer(started, await team.credentials('alice'));
      const text = 'col1\tcol2\nsecond \u200fline\u061c with \u200emarks';
      try {
        const from = witness.frames.length;
        await roundTrip(peer, text, 'tui1');
        const relayed = (await witness.waitFrame(
          (f) => f.type === 'msg' && f.text === text,
          'the message',
          { from },
        )) as RoomMessage;
        assert.equal(relayed.text, text, 'the server relays valid text unchanged');
        const welcome = witness.frames[0] as ServerFrame;
        assert.ok(welcome.type === 'welcome');
        const rows = tuiRows(welcome, [relayed]);
        const shown = rows.join('\n');
        assert.deepEqual(unsafe(rows.join('')), [], JSON.stringify(rows));
        assert.match(shown, /col1 {2}col2/, 'a tab is drawn as two spaces');
        assert.match(shown, /second line with marks/, 'bidi marks are removed');
        assert.equal(rows.length, 2, 'the newline makes a second row');
      } finally {
        await peer.end();
      }
      await assertServed(team, started, witness);
    },
  );

  it('ESC from a broken server: dropped by the client codec, drawn as ␛ by the TUI', () => {
    const frame = {
      type: 'msg',
      id: 1,
      ts: 0,
      room: '#general',
      from: 'alice',
      text: '\u001b[2J\u001b]0;pwned\u0007\u009b31m',
    };
    assert.equal(
      parseServerFrame(JSON.stringify(frame)).ok,
      false,
      'the ChatClient never emits it',
    );
    const welcome = witness.frames[0] as ServerFrame;
    assert.ok(welcome.type === 'welcome');
    const rows = tuiRows(welcome, [frame as RoomMessage]);
    assert.deepEqual(unsafe(rows.join('')), [], JSON.stringify(rows));
    assert.match(rows.join(''), /␛\[2J␛\]0;pwned␇\uFFFD31m/);
  });
});
