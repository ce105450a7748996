import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PROTOCOL_VERSION } from '../../src/net/protocol/frames.ts';
import { ChatCore } from '../../src/server/chat-core.ts';
import { testCoreOptions } from '../helpers/core-options.ts';

const hello = { type: 'hello', v: PROTOCOL_VERSION, client: 'test/1' } as const;

/**
 * A user's device here follows her join through another node, where it was
 * checked and counted. A room made there (bob runs it, nobody wrote in it
 * yet) is not held here, yet following her into it is no room creation of
 * hers here: 21 such joins (the tests allow 20 creations an hour) get her
 * device here no error, and leave it in every room her other device is in.
 */
describe('a join on another node followed here', () => {
  it('is not refused as a room creation: the room exists on the other node', () => {
    const core = new ChatCore(testCoreOptions({ cluster: true }));
    core.hello(1, 'alice', hello, 0);
    const errors: string[] = [];
    for (let i = 1; i <= 21; i++) {
      const room = `#r${i}`;
      // bob made the room on the other node (he runs it); alice joined it there.
      core.remoteEvent(
        { kind: 'act', act: { action: 'op', room, user: 'bob', by: 'bob', ts: i } },
        i * 1000,
      );
      const effects = core.remoteEvent(
        { kind: 'member', user: 'alice', room, joined: true },
        i * 1000,
      );
      for (const e of effects)
        if (e.kind === 'frames' && e.frame.type === 'error')
          errors.push(`${room}: ${e.frame.message}`);
    }
    assert.deepEqual(errors, []);
  });
});
