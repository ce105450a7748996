import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadTuiSettings } from '../../src/commands/tui-settings.ts';
import { lineRows, visibleRows } from '../../src/ui/components/message-rows.ts';
import { complete } from '../../src/ui/input/completion.ts';
import {
  DEFAULT_SETTINGS,
  describeSetting,
  describeSettings,
  parseSetting,
  settingsFromJson,
  settingsToJson,
} from '../../src/ui/settings/tui-settings.ts';
import type { Line, MessageLine } from '../../src/ui/state/chat-types.ts';
import { clockTime } from '../../src/ui/text/time.ts';

const T0 = Date.UTC(2026, 11, 6, 9, 5, 7);

function text(row: readonly { text: string }[]): string {
  return row.map((span) => span.text).join('');
}

describe('TUI settings: parsing what /set is given', () => {
  const cases: Array<[name: string, value: string, expected: unknown]> = [
    ['backlog', '50', 50],
    ['backlog', '007', 7],
    ['backlog', '1e2', undefined],
    ['backlog', '2.5', undefined],
    ['backlog', '1000', undefined],
    ['timestamps', 'HH:MM', 'HH:MM'],
    ['timestamps', 'hh:mm:ss', 'HH:MM:SS'],
    ['timestamps', 'H:M', undefined],
    ['notify', 'off', false],
    ['notify', 'No', false],
    ['notify', 'true', true],
    ['bell', '1', true],
    ['bell', 'loud', undefined],
    ['presence', 'smart', 'smart'],
    ['presence', 'ALL', 'all'],
    ['presence', 'off', 'off'],
    ['presence', 'on', undefined],
    ['mouse', 'on', true],
    ['mouse', 'OFF', false],
    ['mouse', 'click', undefined],
  ];
  for (const [name, value, expected] of cases) {
    it(`${name} ${value} -> ${String(expected)}`, () => {
      const parsed = parseSetting(name, value);
      if (expected === undefined) assert.equal(parsed.ok, false);
      else assert.deepEqual(parsed, { ok: true, change: { name, value: expected } });
    });
  }
  it('an unknown name lists the known ones', () =>
    assert.deepEqual(parseSetting('volume', '3'), {
      ok: false,
      hint: 'no setting volume: backlog, timestamps, notify, bell, presence, mouse',
    }));
});

describe('TUI settings: the kept file', () => {
  it('reads each value on its own: bad ones are the default and named', () => {
    assert.deepEqual(settingsFromJson(undefined), { settings: DEFAULT_SETTINGS, problems: [] });
    assert.deepEqual(
      settingsFromJson({
        backlog: 300,
        timestamps: 'HH:MM:SS',
        notify: 'off',
        bell: false,
        presence: 'some',
        mouse: 'yes',
        later: 1,
      }),
      {
        settings: {
          backlog: 50,
          timestamps: 'HH:MM:SS',
          notify: true,
          bell: false,
          presence: 'smart',
          mouse: false,
        },
        problems: [
          'backlog is not a whole number from 0 to 200',
          'notify is not on or off',
          'presence is not smart, all or off',
          'mouse is not on or off',
        ],
      },
    );
    assert.deepEqual(settingsFromJson([1]).problems, ['not a JSON object']);
    const settings = {
      backlog: 0,
      timestamps: 'HH:MM',
      notify: false,
      bell: true,
      presence: 'off',
      mouse: true,
    } as const;
    assert.deepEqual(settingsFromJson(JSON.parse(JSON.stringify(settingsToJson(settings)))), {
      settings,
      problems: [],
    });
  });

  it('says the values, and which a flag decides for the session', () => {
    assert.equal(
      describeSettings({ ...DEFAULT_SETTINGS, bell: false }, { bell: '--no-bell' }),
      'backlog 50 · timestamps HH:MM · notify on · bell off (--no-bell) · presence smart · mouse off',
    );
    assert.match(describeSetting(DEFAULT_SETTINGS, 'notify'), /^notify on: desktop notification/);
  });

  it('loads tui.json from the team profile, flags over it, and saves without them', async () => {
    const home = await mkdtemp(join(tmpdir(), 'chat-settings-'));
    try {
      const env = { XDG_CONFIG_HOME: join(home, 'config') };
      const first = await loadTuiSettings({ team: 'default', bell: false }, env, home);
      assert.deepEqual(first.notices, []);
      assert.deepEqual(first.source.saved, DEFAULT_SETTINGS);
      assert.deepEqual(first.source.overrides, { bell: false });
      assert.deepEqual(first.source.flags, { bell: '--no-bell' });
      await first.source.save?.({ ...DEFAULT_SETTINGS, timestamps: 'HH:MM:SS' });
      const file = join(home, 'config', 'chat', 'default', 'tui.json');
      assert.equal((await stat(file)).mode & 0o777, 0o600);
      assert.equal(JSON.parse(await readFile(file, 'utf8')).timestamps, 'HH:MM:SS');
      // The /ignore list shares the file: each save keeps what the other wrote.
      await first.ignore.save?.(['bob']);
      await first.source.save?.({ ...DEFAULT_SETTINGS, timestamps: 'HH:MM:SS' });
      assert.deepEqual(JSON.parse(await readFile(file, 'utf8')).ignore, ['bob']);
      const again = await loadTuiSettings({ team: 'default', notify: false }, env, home);
      assert.equal(again.source.saved.timestamps, 'HH:MM:SS');
      assert.deepEqual(again.ignore.saved, ['bob']);
      assert.equal(again.source.saved.bell, true, 'the flag of the earlier session was not kept');
      assert.deepEqual(again.source.flags, { notify: '--no-notify' });

      await writeFile(file, '{ not json');
      const damaged = await loadTuiSettings({ team: 'default' }, env, home);
      assert.deepEqual(damaged.source.saved, DEFAULT_SETTINGS);
      assert.match(damaged.notices[0] ?? '', /tui\.json is not JSON/);

      const noProfile = await loadTuiSettings({}, env, home);
      assert.equal(noProfile.source.save, undefined, 'no team profile: nowhere to keep them');
    } finally {
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe('timestamps setting in the pane', () => {
  it('writes HH:MM or HH:MM:SS, pending marks in the same column', () => {
    assert.equal(clockTime(T0, 'UTC'), '09:05');
    assert.equal(clockTime(T0, 'UTC', 'HH:MM:SS'), '09:05:07');
    const message: Line = { ...line(1) };
    assert.equal(text(lineRows(message, 40, 'UTC', 'HH:MM:SS')[0] ?? []), '09:05:07 <a> t');
    const pending = { localId: 'l1', conversation: '#x', text: 'hi', action: false };
    const rows = visibleRows({
      lines: [message],
      pending: [pending],
      scroll: { offset: 0, newWhileScrolled: 0 },
      width: 40,
      height: 2,
      timeZone: 'UTC',
      clock: 'HH:MM:SS',
      user: 'me',
    });
    assert.equal(text(rows[1] ?? []).indexOf('<me>'), text(rows[0] ?? []).indexOf('<a>'));
  });
  function line(id: number): MessageLine {
    return {
      kind: 'message',
      id,
      ts: T0,
      from: 'a',
      text: 't',
      action: false,
      mention: false,
      own: false,
    };
  }
});

describe('Tab after /set', () => {
  const candidates = {
    users: ['bob'],
    rooms: ['#general'],
    commands: ['set', 'search'],
    settings: { backlog: ['0', '50'], timestamps: ['HH:MM', 'HH:MM:SS'], bell: ['on', 'off'] },
  };
  it('completes a setting name, then its values', () => {
    assert.equal(complete({ line: '/set ti', cursor: 7 }, candidates).line, '/set timestamps ');
    const first = complete({ line: '/set timestamps ', cursor: 16 }, candidates);
    assert.equal(first.line, '/set timestamps HH:MM ');
    assert.equal(complete(first, candidates, first.state).line, '/set timestamps HH:MM:SS ');
    assert.equal(complete({ line: '/set bell o', cursor: 11 }, candidates).line, '/set bell on ');
    const name = complete({ line: '/set ba', cursor: 7 }, candidates);
    assert.equal(
      complete(name, candidates, name.state).line,
      '/set backlog 0 ',
      'Tab again: values',
    );
    assert.equal(complete({ line: '/set nope ', cursor: 10 }, candidates).line, '/set nope ');
    assert.equal(complete({ line: 'say b', cursor: 5 }, candidates).line, 'say bob ');
  });
});
