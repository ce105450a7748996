import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredMessage } from '../../src/net/protocol/frames.ts';
import { RecentChanges } from '../../src/server/recent-changes.ts';

function msg(id: number, text: string): StoredMessage {
  return { type: 'msg', id, ts: 1000 + id, room: '#r', from: 'carol', text, edited: 5000 };
}

describe('RecentChanges', () => {
  it('gives the changes of messages up to the resume id made since the conversation reached it', () => {
    const changes = new RecentChanges();
    changes.record('#r', 10, msg(4, 'before the client left')); // lastId 10 < resume 12: seen live
    changes.record('#r', 12, msg(5, 'at the resume id')); // the client may have left right then
    changes.record('#r', 15, msg(11, 'while away'));
    changes.record('#r', 15, msg(13, 'a message the replay sends as it is'));
    changes.record('#other', 15, msg(6, 'another conversation'));
    assert.deepEqual(
      changes.since('#r', 12).map((m) => [m.id, m.text]),
      [
        [5, 'at the resume id'],
        [11, 'while away'],
      ],
    );
  });

  it('gives each message once, as its newest change, in the order of the newest changes', () => {
    const changes = new RecentChanges();
    changes.record('#r', 20, msg(3, 'first edit'));
    changes.record('#r', 20, msg(4, 'other'));
    changes.record('#r', 21, msg(3, 'second edit'));
    assert.deepEqual(
      changes.since('#r', 20).map((m) => [m.id, m.text]),
      [
        [4, 'other'],
        [3, 'second edit'],
      ],
    );
  });

  it('keeps at most the newest changes per conversation', () => {
    const changes = new RecentChanges(3);
    for (let id = 1; id <= 5; id += 1) changes.record('#r', 10, msg(id, `edit ${id}`));
    assert.deepEqual(
      changes.since('#r', 10).map((m) => m.id),
      [3, 4, 5],
    );
  });

  it('has nothing for a conversation never changed', () => {
    const changes = new RecentChanges();
    changes.record('#other', 5, msg(1, 'x'));
    assert.deepEqual(changes.since('#r', 1), []);
  });
});
