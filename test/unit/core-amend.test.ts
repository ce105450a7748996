import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClientFrame } from '../../src/net/protocol/frames.ts';
import { ChatCore } from '../../src/server/chat-core.ts';
import type { Effect } from '../../src/server/core-effects.ts';
import type { CoreOptions, CoreState } from '../../src/server/core-state.ts';
import { testCoreOptions } from '../helpers/core-options.ts';

const OPTIONS: CoreOptions = testCoreOptions(
  { maxDevicesPerUser: 2, refMemory: 3, operators: new Set(['olga']) },
  { maxTextChars: 10, rateBurst: 30 },
);
const NOW = 1_000_000;

/** alice (conn 1), bob (conn 2) and olga (conn 3, a server operator) in #general; #ops run by bob. */
function core(): { chat: ChatCore; state: CoreState } {
  const chat = new ChatCore(OPTIONS);
  chat.hello(1, 'alice', { type: 'hello', v: 1, client: 't', join: ['#general'] }, NOW);
  chat.hello(2, 'bob', { type: 'hello', v: 1, client: 't', join: ['#general', '#ops'] }, NOW);
  chat.hello(3, 'olga', { type: 'hello', v: 1, client: 't', join: ['#general'] }, NOW);
  const state = (chat as unknown as { state: CoreState }).state;
  state.rooms.get('#ops')?.ops.add('bob');
  return { chat, state };
}

const amendOf = (effects: Effect[]) => effects.find((e) => e.kind === 'amend');
const errorOf = (effects: Effect[]) =>
  effects.flatMap((e) => (e.kind === 'frames' && e.frame.type === 'error' ? [e.frame.code] : []));

describe('core-amend: what the core checks before an edit or a deletion', () => {
  const cases: Array<{
    name: string;
    conn: number;
    frame: ClientFrame;
    want: Partial<Extract<Effect, { kind: 'amend' }>> | string;
  }> = [
    {
      name: 'an edit in a room you are in: the amend effect, not an operator',
      conn: 1,
      frame: { type: 'edit', room: '#general', id: 4, text: 'fixed', ref: 'r1' },
      want: {
        conn: 1,
        ref: 'r1',
        conversation: '#general',
        name: '#general',
        id: 4,
        by: 'alice',
        change: { text: 'fixed' },
        operator: false,
      },
    },
    {
      name: 'a deletion by a room operator: operator true',
      conn: 2,
      frame: { type: 'delete', room: '#ops', id: 1, ref: 'r2' },
      want: { conversation: '#ops', by: 'bob', change: { delete: true }, operator: true },
    },
    {
      name: 'a deletion by a server operator: operator true',
      conn: 3,
      frame: { type: 'delete', room: '#general', id: 1, ref: 'r3' },
      want: { by: 'olga', operator: true },
    },
    {
      name: 'a direct conversation is keyed for both and never operated',
      conn: 3,
      frame: { type: 'delete', room: '@alice', id: 2, ref: 'r4' },
      want: { conversation: 'dm:alice:olga', name: '@alice', operator: false },
    },
    {
      name: 'a room you are not in: not_member',
      conn: 1,
      frame: { type: 'delete', room: '#ops', id: 1, ref: 'r5' },
      want: 'not_member',
    },
    {
      name: 'a text over the limit: text_too_long',
      conn: 1,
      frame: { type: 'edit', room: '#general', id: 1, text: 'x'.repeat(11), ref: 'r6' },
      want: 'text_too_long',
    },
  ];
  for (const { name, conn, frame, want } of cases) {
    it(name, () => {
      const effects = core().chat.receive(conn, frame, NOW + 1000);
      if (typeof want === 'string') {
        assert.deepEqual(errorOf(effects), [want]);
        assert.equal(amendOf(effects), undefined);
      } else {
        const amend = amendOf(effects);
        assert.ok(amend, JSON.stringify(effects));
        for (const [field, value] of Object.entries(want))
          assert.deepEqual((amend as Record<string, unknown>)[field], value, field);
      }
    });
  }

  it('a muted user may not edit in the room, but may delete their own', () => {
    const { chat, state } = core();
    state.rooms.get('#general')?.mutes.set('alice', { by: 'olga', ts: NOW });
    const edit = chat.receive(
      1,
      { type: 'edit', room: '#general', id: 1, text: 'x', ref: 'a' },
      NOW,
    );
    assert.deepEqual(errorOf(edit), ['muted']);
    const del = chat.receive(1, { type: 'delete', room: '#general', id: 1, ref: 'b' }, NOW);
    assert.ok(amendOf(del));
  });
});
