import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROTOCOL_VERSION } from '../../src/net/protocol/frames.ts';
import { ChatCore } from '../../src/server/chat-core.ts';
import { testCoreOptions } from '../helpers/core-options.ts';

const hello = { type: 'hello', v: PROTOCOL_VERSION, client: 'test/1' } as const;

/**
 * On a node of a cluster, who ran a room emptied here is remembered
 * (remoteOps, kept as `runElsewhere`): the room may be in use on another
 * node. One user who makes rooms and parts them, within the creation
 * rate, must not grow every node's memory and kept state past maxRooms
 * (1,000 here), as a single server's forgetting of empty rooms ensures.
 */
describe('rooms made and emptied on a node of a cluster', () => {
  it('are not remembered without bound (at most maxRooms of them)', () => {
    const options = testCoreOptions({ cluster: true });
    const core = new ChatCore(options);
    core.hello(1, 'mallory', hello, 0);
    let now = 0;
    for (let i = 0; i < 1_500; i++) {
      now += 180_000; // within 20 rooms an hour
      core.receive(1, { type: 'join', room: `#junk${i}` }, now);
      core.receive(1, { type: 'part', room: `#junk${i}` }, now + 1);
    }
    const kept = core.keptState(now).runElsewhere ?? [];
    assert.ok(
      kept.length <= options.maxRooms,
      `${kept.length} emptied rooms kept in memory and in the state`,
    );
  });
});
