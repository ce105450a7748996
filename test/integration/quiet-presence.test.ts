import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ChatClient } from '../../src/net/chat-client.ts';
import {
  client,
  collect,
  makeTeam,
  nextEvent,
  type Started,
  startServer,
  type Team,
} from '../helpers/chat-server.ts';

describe('quiet presence over real TLS: a script connection (hello.script) is not announced', () => {
  let team: Team;
  let started: Started;
  const open: ChatClient[] = [];

  async function connected(
    user: string,
    options: Parameters<typeof client>[3] = {},
  ): Promise<ChatClient> {
    const c = await client(team, started, user, options);
    open.push(c);
    await c.connect();
    return c;
  }

  before(async () => {
    team = await makeTeam(['bob', 'carol']);
    started = await startServer(team, { ratePerSecond: 1_000, rateBurst: 1_000 });
  });
  after(async () => {
    await Promise.all(open.map((c) => c.close()));
    await started.server.close();
    await team.dir.cleanup();
  });

  it("tells bob carol's script message and nothing of its coming and going", async () => {
    const bob = await connected('bob');
    const presence = collect<unknown>(bob, 'presence');
    const joined = collect<unknown>(bob, 'joined');
    const left = collect<unknown>(bob, 'left');
    const script = await connected('carol', { script: true, reconnect: false });
    const message = nextEvent(bob, 'message');
    await script.send('#general', 'from a script');
    assert.equal(((await message)[0] as { text: string }).text, 'from a script');
    await script.close();
    // A later person's hello proves the server handled the script's close first.
    const carol = await connected('carol');
    await nextEvent(bob, 'joined');
    assert.deepEqual(
      presence.map((p) => (p as { status: string }).status),
      ['online'],
      'only the person came online',
    );
    assert.equal(joined.length, 1);
    assert.equal(left.length, 0);
    // The person's chat is told of her script's join, with the room's state.
    const ownJoin = nextEvent(carol, 'joined');
    const again = await connected('carol', { script: true, reconnect: false, rooms: ['#ops'] });
    const [frame] = (await ownJoin) as [{ room: string; user: string; state?: unknown }];
    assert.equal(frame.room, '#ops');
    assert.equal(frame.user, 'carol');
    assert.ok(frame.state);
    await again.close();
  });
});
