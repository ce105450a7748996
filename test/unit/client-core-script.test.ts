import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ClientCore } from '../../src/net/client-core.ts';

describe('ClientCore hello.script', () => {
  it('says script in the hello of a program, and nothing of it otherwise', () => {
    const script = new ClientCore({
      clientName: 'chat-send/1',
      rooms: ['#ops'],
      maxQueuedCommands: 4,
      script: true,
    });
    assert.deepEqual(script.hello(), {
      type: 'hello',
      v: 1,
      client: 'chat-send/1',
      join: ['#ops'],
      script: true,
    });
    const person = new ClientCore({ clientName: 'chat-tui/1', rooms: [], maxQueuedCommands: 4 });
    assert.equal('script' in person.hello(), false);
  });
});
