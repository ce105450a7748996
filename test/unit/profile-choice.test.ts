import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type CertsLookup, missingCerts } from '../../src/commands/missing-certs.ts';
import { chooseTeam, profilePlace } from '../../src/profile/profile-paths.ts';

/** Which team a command uses, where its things live, and when a first run may make a CA. */
describe('profile choice', () => {
  it('takes --team, then CHAT_TEAM, then the only profile, then default', () => {
    assert.deepEqual(chooseTeam('ops', { CHAT_TEAM: 'dev' }, ['a', 'b']), {
      ok: true,
      team: 'ops',
      how: 'flag',
    });
    assert.deepEqual(chooseTeam(undefined, { CHAT_TEAM: 'dev' }, []), {
      ok: true,
      team: 'dev',
      how: 'env',
    });
    assert.deepEqual(chooseTeam(undefined, { CHAT_TEAM: '' }, ['alpha']), {
      ok: true,
      team: 'alpha',
      how: 'only',
    });
    assert.deepEqual(chooseTeam(undefined, {}, []), { ok: true, team: 'default', how: 'default' });
    assert.deepEqual(chooseTeam(undefined, {}, ['alpha', 'default']), {
      ok: true,
      team: 'default',
      how: 'default',
    });
  });

  it('asks when several profiles exist and none is named or default, and refuses odd names', () => {
    const several = chooseTeam(undefined, {}, ['beta', 'alpha']);
    assert.equal(several.ok, false);
    assert.match(several.ok ? '' : several.message, /several teams \(alpha, beta\)/);
    for (const name of ['../x', 'Default', '-a', 'a b', 'x'.repeat(33)]) {
      const choice = chooseTeam(name, {}, []);
      assert.equal(choice.ok, false, name);
    }
  });

  it('puts a team under CHAT_HOME, else the XDG folders, ignoring relative XDG values', () => {
    assert.deepEqual(profilePlace('t', { CHAT_HOME: '/c', XDG_CONFIG_HOME: '/x' }, '/h'), {
      team: 't',
      configDir: '/c/t',
      certsDir: '/c/t/certs',
      dataDir: '/c/t/data',
      settingsFile: '/c/t/settings.json',
      tuiSettingsFile: '/c/t/tui.json',
      pinsDir: '/c/t/pins',
      legacyPinsFile: '/c/t/pins.json',
    });
    assert.deepEqual(profilePlace('t', { XDG_CONFIG_HOME: '/x', XDG_DATA_HOME: '/d' }, '/h'), {
      team: 't',
      configDir: '/x/chat/t',
      certsDir: '/x/chat/t/certs',
      dataDir: '/d/chat/t',
      settingsFile: '/x/chat/t/settings.json',
      tuiSettingsFile: '/x/chat/t/tui.json',
      pinsDir: '/x/chat/t/pins',
      legacyPinsFile: '/x/chat/t/pins.json',
    });
    const relative = profilePlace('t', { XDG_CONFIG_HOME: 'x', XDG_DATA_HOME: 'd' }, '/h');
    assert.equal(relative.certsDir, '/h/.config/chat/t/certs');
    assert.equal(relative.dataDir, '/h/.local/share/chat/t');
  });
});

describe('missing certificates', () => {
  const firstRun: CertsLookup = {
    certsDir: '/h/.config/chat/default/certs',
    certsFrom: 'profile',
    team: 'default',
    teamFrom: 'default',
    host: 'localhost',
    port: 8443,
    mayStartTeam: true,
    serverAnswers: false,
  };

  it('makes a team only on the default profile, against localhost, with nothing listening', () => {
    assert.equal(missingCerts(firstRun), 'first-run');
  });

  it('refuses each other case in one line naming the fix', () => {
    const cases: Array<[Partial<CertsLookup>, RegExp, RegExp]> = [
      [{ certsFrom: 'explicit', certsDir: '/typo' }, /\/typo holds no certificates/, /--certs/],
      [{ team: 'ops', teamFrom: 'flag' }, /no profile for the team ops/, /chat join FILE/],
      [{ team: 'ops', teamFrom: 'env' }, /no profile for the team ops/, /chat join FILE/],
      [{ mayStartTeam: false }, /no certificates for the server at localhost:8443/, /invite/],
      [{ serverAnswers: true }, /a server already runs at localhost:8443/, /another --port/],
    ];
    for (const [change, message, hint] of cases) {
      const verdict = missingCerts({ ...firstRun, ...change });
      assert.ok(verdict !== 'first-run', JSON.stringify(change));
      assert.equal(verdict.code, 'NO_CA');
      assert.match(verdict.message, message);
      assert.match(verdict.hint ?? '', hint);
    }
  });
});
