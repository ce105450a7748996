import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ClientFrame, ServerFrame, StoredMessage } from '../../src/net/protocol/frames.ts';
import { MemoryHistory } from '../../src/server/history/memory-history.ts';
import {
  makeTeam,
  rawConnection,
  type Started,
  startServer,
  type Team,
} from '../helpers/chat-server.ts';

/** Review of cd1790e: a server alone (no --redis) must still seed its core from its store at start. */
describe('a single server started on kept history', () => {
  let team: Team;
  let started: Started | undefined;
  let raw: Awaited<ReturnType<typeof rawConnection>> | undefined;

  before(async () => {
    team = await makeTeam(['alice']);
  });
  after(async () => {
    raw?.socket.destroy();
    await started?.server.close();
    await team.dir.cleanup();
  });

  it('goes on from the last kept id instead of giving id 1 again', async () => {
    const store = new MemoryHistory(100);
    for (const id of [1, 2, 3])
      await store.append('#general', {
        type: 'msg',
        id,
        ts: 1_000 + id,
        room: '#general',
        from: 'alice',
        text: `kept ${id}`,
      } as StoredMessage);
    started = await startServer(team, {}, store);
    raw = await rawConnection(started, await team.credentials('alice'));
    const send = (frame: ClientFrame) => raw?.socket.write(`${JSON.stringify(frame)}\n`);
    send({ type: 'hello', v: 1, client: 'test/1' } as ClientFrame);
    send({ type: 'send', room: '#general', text: 'after the restart', ref: 'r1' });
    let ack: ServerFrame | undefined;
    while (ack?.type !== 'ack') ack = await raw.nextFrame();
    assert.equal(ack.id, 4);
  });
});
