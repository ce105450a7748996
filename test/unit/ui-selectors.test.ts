import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chatReducer, currentMembers, initialChatState } from '../../src/ui/state/chat-state.ts';
import { welcomeFrame } from '../helpers/chat-frames.ts';

function welcomed() {
  return chatReducer(initialChatState({ server: 'h:1', bell: false }), {
    type: 'welcome',
    frame: welcomeFrame({
      rooms: [{ room: '#general', topic: '', members: ['alice', 'bob'], lastId: 0 }],
      users: [
        { user: 'alice', status: 'online' },
        { user: 'bob', status: 'online' },
      ],
    }),
    now: 0,
  });
}

describe('currentMembers of a direct conversation', () => {
  it('shows a peer the server never named as offline, not online', () => {
    const state = chatReducer(welcomed(), { type: 'openDm', peer: 'zed' });
    assert.deepEqual(currentMembers(state), [
      { user: 'alice', status: 'online' },
      { user: 'zed', status: 'offline' },
    ]);
  });

  it('follows the peer once the server tells its presence', () => {
    let state = chatReducer(welcomed(), { type: 'openDm', peer: 'zed' });
    state = chatReducer(state, {
      type: 'presence',
      frame: { type: 'presence', user: 'zed', status: 'away', text: 'lunch' },
      now: 0,
    });
    assert.deepEqual(currentMembers(state), [
      { user: 'alice', status: 'online' },
      { user: 'zed', status: 'away', text: 'lunch' },
    ]);
  });
});
