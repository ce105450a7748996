import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runTail } from '../../src/commands/tail.ts';
import { ChatError } from '../../src/errors.ts';
import type { ChatClient } from '../../src/net/chat-client.ts';
import type { RoomMessage } from '../../src/net/protocol/frames.ts';
import { revokeClient } from '../../src/pki/client-certs.ts';
import { client, makeTeam, type Started, startServer, type Team } from '../helpers/chat-server.ts';
import { assertServedFrom } from '../helpers/hostile.ts';

const ROOM = '#general';
const never = new Promise<void>(() => {});

/** Flags as the CLI would pass them; the client itself comes from `createClient`. */
function tailArgs(history: number) {
  return { host: 'localhost', port: 0, certs: '', room: ROOM, json: true, history };
}

/** A `runTail` io that keeps what was printed. */
function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

function isChatError(code: string) {
  return (error: unknown) => {
    assert.ok(error instanceof ChatError, `not a ChatError: ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  };
}

describe('chat tail --history while messages keep coming', () => {
  let team: Team;
  let started: Started;
  let alice: ChatClient;

  before(async () => {
    team = await makeTeam(['alice', 'bob']);
    // Small pages, so ten messages of history take three requests.
    started = await startServer(team, { ratePerSecond: 1_000, rateBurst: 1_000, maxHistory: 4 });
    alice = await client(team, started, 'alice');
    await alice.connect();
  });
  after(async () => {
    await alice.close();
    await started.server.close();
    await team.dir.cleanup();
  });

  it('prints the last N, then the live ones, each id once and in order', {
    timeout: 10_000,
  }, async () => {
    let lastId = 0;
    for (let i = 1; i <= 30; i++) lastId = (await alice.send(ROOM, `before ${i}`)).id;

    let finalId = 0;
    let sending: Promise<void> | undefined;
    let liveBeforeHistory = 0;
    // The tail runs until it has printed alice's last message.
    let printedLast: () => void = () => {};
    const until = new Promise<void>((resolve) => {
      printedLast = resolve;
    });
    const { out, err, io } = capture();
    const printed = (line: string) => {
      io.out(line);
      if ((JSON.parse(line) as RoomMessage).text === 'during 20') printedLast();
    };

    const createClient = async () => {
      const bob = await client(team, started, 'bob', { rooms: [ROOM] });
      // Alice starts the moment bob is welcomed, so her messages race his history.
      bob.once('welcome', () => {
        sending = (async () => {
          for (let i = 1; i <= 20; i++) finalId = (await alice.send(ROOM, `during ${i}`)).id;
        })();
      });
      // Each history request waits until live messages have arrived, which
      // the old tail printed before the history and then again inside it.
      const fiveLive = new Promise<void>((resolve) => {
        const onMessage = () => {
          liveBeforeHistory += 1;
          if (liveBeforeHistory < 5) return;
          bob.off('message', onMessage);
          resolve();
        };
        bob.on('message', onMessage);
      });
      const history = bob.history.bind(bob);
      bob.history = async (room, options) => {
        await fiveLive;
        return history(room, options);
      };
      return bob;
    };

    await runTail(tailArgs(10), { out: printed, err: io.err }, until, { createClient });
    await sending;

    assert.equal(finalId, lastId + 20);
    assert.ok(liveBeforeHistory >= 5);
    const ids = out.map((l) => (JSON.parse(l) as RoomMessage).id);
    const expected = Array.from({ length: 30 }, (_, i) => lastId - 9 + i);
    assert.deepEqual(ids, expected, 'history then live, contiguous, each id once');
    assert.deepEqual(err, []);
  });
});

describe('chat tail prints what a peer sent neutralized, like the TUI', () => {
  let team: Team;
  let started: Started;
  let alice: ChatClient;
  // What the issue found printed unchanged, each as the protocol lets it through.
  const hostile = [
    'zero\u200Bwidth',
    'left\u200Emark\u200Fright',
    'word\u2060joiner',
    '\uFEFFbom',
    'tag\u{E0041}\u{E0042}\u{E0043}s',
    `z${'\u0301'.repeat(500)}`,
  ];
  const legit = 'ok 👩\u200D💻 🏳\uFE0F\u200D🌈 Vie\u0323\u0302t \u0915\u094D\u200D\u0937';

  before(async () => {
    team = await makeTeam(['alice', 'bob']);
    started = await startServer(team, { ratePerSecond: 1_000, rateBurst: 1_000 });
    alice = await client(team, started, 'alice');
    await alice.connect();
    for (const text of [...hostile, legit]) await alice.send(ROOM, text);
  });
  after(async () => {
    await alice.close();
    await started.server.close();
    await team.dir.cleanup();
  });

  /** Runs `chat tail --history 7` as bob until the seven lines are out; returns them. */
  async function tail(json: boolean): Promise<string[]> {
    const { out, err, io } = capture();
    let done: () => void = () => {};
    const until = new Promise<void>((resolve) => {
      done = resolve;
    });
    const printed = (line: string) => {
      io.out(line);
      if (out.length === 7) done();
    };
    await runTail({ ...tailArgs(7), json }, { out: printed, err: io.err }, until, {
      createClient: () => client(team, started, 'bob', { rooms: [ROOM] }),
    });
    assert.deepEqual(err, []);
    return out;
  }

  it('text: invisible characters removed, marks capped, emoji and joining scripts kept', {
    timeout: 10_000,
  }, async () => {
    const texts = (await tail(false)).map((line) => line.replace(/^\[\d\d:\d\d\] <alice> /, ''));
    assert.deepEqual(texts, [
      'zerowidth',
      'leftmarkright',
      'wordjoiner',
      'bom',
      'tags',
      `z${'\u0301'.repeat(4)}`,
      legit,
    ]);
  });

  it('--json: the same text back when parsed, and no unsafe character raw on stdout', {
    timeout: 10_000,
  }, async () => {
    const lines = await tail(true);
    assert.deepEqual(
      lines.map((line) => (JSON.parse(line) as RoomMessage).text),
      [...hostile, legit],
    );
    const raw = lines.join('\n');
    for (const unsafe of ['\u200B', '\u200E', '\u200F', '\u2060', '\uFEFF', '\u{E0041}']) {
      assert.ok(
        !raw.includes(unsafe),
        `U+${unsafe.codePointAt(0)?.toString(16)} raw in the output`,
      );
    }
    assert.match(lines[0] ?? '', /"text":"zero\\u200bwidth"/);
    assert.match(lines[4] ?? '', /"text":"tag\\udb40\\udc41\\udb40\\udc42\\udb40\\udc43s"/);
    assert.ok(!/\u0301{5}/u.test(raw), 'at most 4 stacked marks raw');
    assert.ok(raw.includes(legit), 'emoji sequences and joining scripts stay as they are');
    // Last in this suite: its message would be among the lines tail prints.
    await assertServedFrom(
      started.port,
      await team.credentials('alice'),
      await team.credentials('bob'),
    );
  });
});

describe('chat tail after a final error', () => {
  let team: Team;
  let started: Started;

  before(async () => {
    team = await makeTeam(['alice', 'bob', 'carol']);
    await revokeClient(team.ctx, { name: 'carol' });
    started = await startServer(team, { ratePerSecond: 1, rateBurst: 2 });
  });
  after(async () => {
    await started.server.close();
    await team.dir.cleanup();
  });

  it('rejects with CERT_REFUSED for a revoked certificate', { timeout: 10_000 }, async () => {
    const { io } = capture();
    await assert.rejects(
      runTail(tailArgs(0), io, never, {
        createClient: () => client(team, started, 'carol', { rooms: [ROOM] }),
      }),
      isChatError('CERT_REFUSED'),
    );
  });

  it('rejects when the server closes a running tail for good', { timeout: 10_000 }, async () => {
    const { out, io } = capture();
    let bob: ChatClient | undefined;
    const tail = runTail(tailArgs(0), io, never, {
      createClient: async () => {
        bob = await client(team, started, 'bob', { rooms: [ROOM] });
        // Once connected, go over the rate limit until the server closes with `flood`.
        bob.once('welcome', () => {
          for (let i = 0; i < 20; i++) bob?.back();
        });
        return bob;
      },
    });
    await assert.rejects(tail, isChatError('SERVER_ERROR'));
    assert.equal(bob?.state, 'closed');
    assert.deepEqual(out, []);
  });
});
