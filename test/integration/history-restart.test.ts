import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ChatClient } from '../../src/net/chat-client.ts';
import type { RoomMessage } from '../../src/net/protocol/frames.ts';
import { makeTeam, type Team } from '../helpers/chat-server.ts';
import { runChat, startChat, stop } from '../helpers/cli.ts';
import { until } from '../helpers/ink.ts';

const USERS = ['alice', 'bob', 'carol'];
/** Messages each user sends in the burst. */
const BURST = 120;

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as { port: number };
  probe.close();
  await once(probe, 'close');
  return port;
}

describe('the history store under kill -9', () => {
  let team: Team;
  let data: string;
  let port: number;
  const clients: ChatClient[] = [];

  before(async () => {
    team = await makeTeam(USERS);
    data = join(team.dir.path, 'data');
    port = await freePort();
  });
  after(async () => {
    for (const c of clients) c.close();
    await team.dir.cleanup();
  });

  const serve = async () => {
    const server = startChat(
      [
        'serve',
        ...['--certs', team.certsDir, '--data', data, '--port', String(port)],
        // The clients pace their sends under this: the burst lasts about half a second.
        ...['--rate', '300', '--burst', '20'],
      ],
      team.dir.path,
    );
    await server.waitFor('stderr', /"msg":"listening"/);
    return server;
  };

  it('keeps every acknowledged message, and clients resume with no gap and no duplicate', async () => {
    let server = await serve();
    const seen = new Map<string, RoomMessage[]>();
    for (const user of USERS) {
      const c = new ChatClient({
        host: 'localhost',
        port,
        credentials: await team.credentials(user),
        clientName: 'test/1',
        pingIntervalMs: 0,
        backoff: { baseMs: 20, maxMs: 100 },
      });
      const mine: RoomMessage[] = [];
      seen.set(user, mine);
      c.on('message', (m) => mine.push(m));
      clients.push(c);
      await c.connect();
    }

    const acked = new Map<string, number>(); // text → id
    const first = server;
    const exited = once(first.child, 'exit');
    let ackedAtKill = 0;
    const sends = clients.flatMap((c, i) =>
      Array.from({ length: BURST }, (_, n) => {
        const text = `${USERS[i]} burst ${n}`;
        return c.send('#general', text).then((ack) => {
          acked.set(text, ack.id);
          // Mid-burst: some acknowledged, many still on their way.
          if (acked.size === BURST && ackedAtKill === 0) {
            ackedAtKill = acked.size;
            first.child.kill('SIGKILL');
          }
        });
      }),
    );
    await exited;
    assert.ok(ackedAtKill > 0 && ackedAtKill < BURST * USERS.length);

    server = await serve();
    // Every send is acknowledged in the end: the clients resend what was not.
    await Promise.all(sends);
    const total = BURST * USERS.length;
    assert.equal(acked.size, total);
    const ids = [...acked.values()].sort((a, b) => a - b);
    assert.equal(new Set(ids).size, total, 'one id per message: no resend was kept twice');
    // Every client saw every message once, in id order, with no gap.
    await until(
      () => [...seen.values()].every((list) => list.length >= total),
      'every client to see every message',
      20_000,
    );
    for (const [user, list] of seen) {
      const got = list.map((m) => m.id);
      assert.deepEqual(got, ids, `${user} saw ids in order, each once`);
    }
    for (const c of clients) c.close();
    assert.equal(await stop(server.child), 0);

    // Everything acknowledged is in the history, once, under its id.
    const exported = await runChat(
      ['history', 'export', '--room', 'general', '--data', data, '--certs', team.certsDir],
      { cwd: team.dir.path },
    );
    assert.equal(exported.code, 0, exported.stderr);
    const kept = exported.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as RoomMessage);
    assert.deepEqual(
      kept.map((m) => [m.text, m.id]).sort((a, b) => Number(a[1]) - Number(b[1])),
      [...acked].sort((a, b) => a[1] - b[1]),
    );
    // And none of it is readable in the files.
    const dir = join(data, 'history');
    for (const name of await readdir(dir)) {
      const bytes = await readFile(join(dir, name));
      assert.equal(bytes.includes('burst'), false, `${name} holds plaintext`);
    }
  });
});
