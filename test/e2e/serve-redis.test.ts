import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  runChat,
  type Serving,
  startChat,
  startServe,
  stop,
  teamMadeByCli,
} from '../helpers/cli.ts';
import { startRedis, type TestRedis } from '../helpers/redis.ts';

describe('chat serve --redis', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let redis: TestRedis;
  let server: Serving | undefined;

  before(async () => {
    [dir, redis] = await Promise.all([teamMadeByCli(), startRedis()]);
  });
  after(async () => {
    if (server) await stop(server.child);
    await redis.cleanup();
    await dir.cleanup();
  });

  const serve = async () => {
    server = await startServe(['--redis', redis.url], dir.path);
    return server;
  };
  const send = (text: string) =>
    runChat(['send', '--port', String(server?.port), text], { cwd: dir.path });
  // What a new client is served from the history: the last 50 of #general.
  const history = async (last: string) => {
    const tail = startChat(['tail', '--port', String(server?.port), '--history', '50'], dir.path);
    try {
      await tail.waitFor('stdout', new RegExp(last));
      return tail.lines.stdout.join('\n');
    } finally {
      await stop(tail.child);
    }
  };

  it('keeps what send sent in Redis and serves it from a restarted node', async () => {
    let node = await serve();
    assert.match(await node.waitFor('stderr', /"msg":"history"/), /"store":"redis"/);
    for (const text of ['first words', 'second words']) {
      const sent = await send(text);
      assert.equal(sent.code, 0, sent.stderr);
    }
    assert.equal(await stop(node.child), 0);
    node = await serve();
    const shown = await history('second words');
    assert.match(shown, /<ada> first words\n.*<ada> second words/);
  });

  it('after kill -9 of Redis: acked messages are there, a send in the outage fails, then sends work again', async () => {
    const node = server as Serving;
    for (const text of ['acked one', 'acked two', 'acked three']) {
      const sent = await send(text);
      assert.equal(sent.code, 0, sent.stderr);
    }
    await redis.kill9();
    await node.waitFor('stderr', /"msg":"history: Redis is unreachable"/);
    const lost = await send('never acked');
    assert.notEqual(lost.code, 0);
    // Its welcome's replay already needs Redis: it fails there, before any send (the
    // integration test serve-redis shows a connected client's send told store_failed).
    assert.match(lost.stderr, /^chat: server: the server could not read what you missed/);
    await redis.restart();
    await node.waitFor('stderr', /"msg":"history: Redis is back"/);
    const again = await send('after the outage');
    assert.equal(again.code, 0, again.stderr);
    const shown = await history('after the outage');
    assert.match(shown, /acked one\n.*acked two\n.*acked three\n.*after the outage/);
    assert.doesNotMatch(shown, /never acked/);
  });

  it('chat history verify and export read the history in Redis, writing nothing; an empty Redis is refused', async () => {
    const verified = await runChat(['history', 'verify', '--redis', redis.url], { cwd: dir.path });
    assert.equal(verified.code, 0, verified.stderr);
    assert.match(
      verified.stdout,
      new RegExp(
        `^redis://127\\.0\\.0\\.1:${redis.port}: 6 messages in 1 room and 0 direct conversations, 20\\d\\d-`,
      ),
    );
    assert.match(verified.stdout, /every record opens with this key\n$/);
    const exported = await runChat(['history', 'export', '--room', 'general'], {
      cwd: dir.path,
      env: { CHAT_REDIS: redis.url },
    });
    assert.equal(exported.code, 0, exported.stderr);
    assert.deepEqual(
      exported.stdout
        .trimEnd()
        .split('\n')
        .map((line) => (JSON.parse(line) as { text: string }).text),
      ['first words', 'second words', 'acked one', 'acked two', 'acked three', 'after the outage'],
    );
    const empty = await runChat(['history', 'verify', '--redis', `${redis.url}/5`], {
      cwd: dir.path,
    });
    assert.equal(empty.code, 1);
    assert.match(
      empty.stderr,
      /^chat: there is no history in Redis at redis:\/\/127\.0\.0\.1:\d+\/5 — /,
    );
    const bad = await runChat(['history', 'export', '--room', 'general', '--redis', 'http://x'], {
      cwd: dir.path,
    });
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /^chat: --redis http:\/\/x is not a Redis URL — /);
  });

  it('refuses --store memory with --redis in one line', async () => {
    const both = await runChat(
      ['serve', '--port', '0', '--store', 'memory', '--redis', redis.url],
      {
        cwd: dir.path,
      },
    );
    assert.equal(both.code, 2);
    assert.match(both.stderr, /^chat: --store memory and --redis do not go together — .*\n$/);
  });
});
