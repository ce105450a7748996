import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { StoredMessage } from '../../src/net/protocol/frames.ts';
import { type AmendOutcome, type AmendRequest, amend } from '../../src/server/amend-rules.ts';

const NOW = 1_767_261_700_000;
const kept: StoredMessage = Object.freeze({
  type: 'msg',
  id: 42,
  ts: 1_767_261_601_250,
  room: '#general',
  from: 'carol',
  text: 'morning al',
  action: true,
});
const edited: StoredMessage = Object.freeze({ ...kept, text: 'morning all', edited: NOW - 5 });
const deleted: StoredMessage = Object.freeze({ ...kept, text: '', deleted: { ts: NOW - 5 } });
const dm: StoredMessage = Object.freeze({
  type: 'dm',
  id: 3,
  ts: 1_767_261_601_250,
  from: 'carol',
  to: 'bob',
  text: 'hi',
});

const cases: Array<{
  name: string;
  request: Omit<AmendRequest, 'id' | 'now'>;
  want: AmendOutcome;
}> = [
  {
    name: 'no kept message: no_such_message',
    request: { kept: undefined, by: 'carol', change: { text: 'x' }, operator: false },
    want: {
      kind: 'refused',
      refusal: { code: 'no_such_message', message: 'there is no message 42 here' },
    },
  },
  {
    name: 'no kept message, a deletion: no_such_message',
    request: { kept: undefined, by: 'carol', change: { delete: true }, operator: true },
    want: {
      kind: 'refused',
      refusal: { code: 'no_such_message', message: 'there is no message 42 here' },
    },
  },
  {
    name: 'the author edits: new text, edited, id/ts/from/action kept',
    request: { kept, by: 'carol', change: { text: 'morning all' }, operator: false },
    want: { kind: 'changed', message: { ...kept, text: 'morning all', edited: NOW } },
  },
  {
    name: 'an edit of an edited message moves edited',
    request: { kept: edited, by: 'carol', change: { text: 'morning, all' }, operator: false },
    want: { kind: 'changed', message: { ...kept, text: 'morning, all', edited: NOW } },
  },
  {
    name: 'someone else edits: not_author',
    request: { kept, by: 'bob', change: { text: 'x' }, operator: false },
    want: {
      kind: 'refused',
      refusal: { code: 'not_author', message: 'you may edit only your own messages' },
    },
  },
  {
    name: 'an operator edits someone else’s: not_author still',
    request: { kept, by: 'alice', change: { text: 'x' }, operator: true },
    want: {
      kind: 'refused',
      refusal: { code: 'not_author', message: 'you may edit only your own messages' },
    },
  },
  {
    name: 'an edit of a deleted message: no_such_message',
    request: { kept: deleted, by: 'carol', change: { text: 'back' }, operator: false },
    want: {
      kind: 'refused',
      refusal: { code: 'no_such_message', message: 'message 42 was deleted' },
    },
  },
  {
    name: 'the author deletes: empty text, deleted without by',
    request: { kept, by: 'carol', change: { delete: true }, operator: false },
    want: { kind: 'changed', message: { ...kept, text: '', deleted: { ts: NOW } } },
  },
  {
    name: 'a deletion of an edited message keeps edited',
    request: { kept: edited, by: 'carol', change: { delete: true }, operator: false },
    want: { kind: 'changed', message: { ...edited, text: '', deleted: { ts: NOW } } },
  },
  {
    name: 'an operator deletes someone else’s: deleted.by names them',
    request: { kept, by: 'alice', change: { delete: true }, operator: true },
    want: { kind: 'changed', message: { ...kept, text: '', deleted: { by: 'alice', ts: NOW } } },
  },
  {
    name: 'an operator deletes their own: no by',
    request: {
      kept: { ...kept, from: 'alice' },
      by: 'alice',
      change: { delete: true },
      operator: true,
    },
    want: { kind: 'changed', message: { ...kept, from: 'alice', text: '', deleted: { ts: NOW } } },
  },
  {
    name: 'a member without operator deletes someone else’s: not_author',
    request: { kept, by: 'bob', change: { delete: true }, operator: false },
    want: {
      kind: 'refused',
      refusal: {
        code: 'not_author',
        message: 'you may delete only your own messages, or as an operator',
      },
    },
  },
  {
    name: 'deleting a deleted message again: unchanged (acknowledged again)',
    request: { kept: deleted, by: 'carol', change: { delete: true }, operator: false },
    want: { kind: 'unchanged', message: deleted },
  },
  {
    name: 'an operator deletes a deleted message: unchanged',
    request: { kept: deleted, by: 'alice', change: { delete: true }, operator: true },
    want: { kind: 'unchanged', message: deleted },
  },
  {
    name: 'someone else deletes a deleted message: not_author',
    request: { kept: deleted, by: 'bob', change: { delete: true }, operator: false },
    want: {
      kind: 'refused',
      refusal: {
        code: 'not_author',
        message: 'you may delete only your own messages, or as an operator',
      },
    },
  },
  {
    name: 'a direct message: its author edits',
    request: { kept: dm, by: 'carol', change: { text: 'hello' }, operator: false },
    want: { kind: 'changed', message: { ...dm, text: 'hello', edited: NOW } },
  },
  {
    name: 'a direct message: the other side cannot delete it',
    request: { kept: dm, by: 'bob', change: { delete: true }, operator: false },
    want: {
      kind: 'refused',
      refusal: {
        code: 'not_author',
        message: 'you may delete only your own messages, or as an operator',
      },
    },
  },
];

describe('amend rules', () => {
  for (const { name, request, want } of cases) {
    it(name, () => {
      const id = request.kept?.id ?? 42;
      assert.deepEqual(amend({ ...request, id, now: NOW }), want);
    });
  }

  it('never changes the kept message', () => {
    const frozen = Object.freeze({ ...kept });
    amend({
      kept: frozen,
      id: 42,
      by: 'carol',
      change: { delete: true },
      operator: false,
      now: NOW,
    });
    assert.equal(frozen.text, 'morning al');
  });
});
