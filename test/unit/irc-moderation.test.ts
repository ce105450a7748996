import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { modeLineFor, readModeChange } from '../../src/server/irc/irc-moderation.ts';

describe('IRC channel modes as chat acts', () => {
  const cases: Array<[string[], ReturnType<typeof readModeChange>]> = [
    [['+b', 'carol'], { acts: [{ action: 'ban', user: 'carol' }], unknown: [] }],
    [['-b', 'Carol!*@*'], { acts: [{ action: 'unban', user: 'carol' }], unknown: [] }],
    [
      ['+qo-q', 'bob', 'dave', 'erin'],
      {
        acts: [
          { action: 'mute', user: 'bob' },
          { action: 'op', user: 'dave' },
          { action: 'unmute', user: 'erin' },
        ],
        unknown: [],
      },
    ],
    [['+t'], { acts: [{ action: 'topic-lock' }], unknown: [] }],
    [['-t+n'], { acts: [{ action: 'topic-unlock' }], unknown: ['n'] }],
    // A mode that needs a user, without one: said back as unknown, never guessed.
    [['+b'], { acts: [], unknown: ['b'] }],
  ];
  for (const [params, expected] of cases) {
    it(`MODE #room ${params.join(' ')}`, () => assert.deepEqual(readModeChange(params), expected));
  }

  it('shows acts as KICK or MODE lines, bans and mutes on a mask, ops on the nick', () => {
    assert.deepEqual(modeLineFor('kick', 'carol'), { command: 'KICK' });
    assert.deepEqual(modeLineFor('ban', 'carol'), {
      command: 'MODE',
      change: '+b',
      target: 'carol!*@*',
    });
    assert.deepEqual(modeLineFor('unmute', 'bob'), {
      command: 'MODE',
      change: '-q',
      target: 'bob!*@*',
    });
    assert.deepEqual(modeLineFor('deop', 'dave'), {
      command: 'MODE',
      change: '-o',
      target: 'dave',
    });
    assert.deepEqual(modeLineFor('topic-lock', undefined), { command: 'MODE', change: '+t' });
  });
});
