import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkProfileEnv, placeArgs } from '../../src/cli/profile-options.ts';
import { ChatError } from '../../src/errors.ts';
import { tempDir } from '../helpers/pki.ts';

/**
 * Where a command's folders, server and user come from, read from real
 * profile folders in a temporary home: the team's profile, or, for an
 * explicit certs folder and no team named, no profile at all.
 */
describe('placing a command', () => {
  let home: { path: string; cleanup: () => Promise<void> };
  let env: NodeJS.ProcessEnv;

  before(async () => {
    home = await tempDir();
    env = { XDG_CONFIG_HOME: join(home.path, 'config'), XDG_DATA_HOME: join(home.path, 'share') };
    for (const [team, settings] of [
      ['alpha', { server: { host: '192.0.2.77', port: 9443 }, user: 'carol' }],
      ['beta', { server: { host: 'beta.example', port: 8443 }, user: 'dave' }],
      [
        'gamma',
        {
          server: [
            { host: 'n1.gamma.example', port: 8443 },
            { host: 'n2.gamma.example', port: 9443 },
          ],
          user: 'gus',
        },
      ],
    ] as const) {
      const dir = join(home.path, 'config', 'chat', team);
      await mkdir(join(dir, 'certs'), { recursive: true });
      await writeFile(join(dir, 'settings.json'), JSON.stringify(settings));
    }
  });

  after(async () => {
    await home.cleanup();
  });

  const place = async (args: Record<string, unknown>, extra: NodeJS.ProcessEnv = {}) => {
    const argv = { _: [String(args.command)], ...args };
    await placeArgs(argv, { ...env, ...extra }, home.path);
    return argv as Record<string, unknown>;
  };

  it("takes a named team's folders, server and user", async () => {
    const argv = await place({ command: 'send', team: 'alpha' });
    assert.equal(argv.certs, join(home.path, 'config', 'chat', 'alpha', 'certs'));
    assert.equal(argv.data, join(home.path, 'share', 'chat', 'alpha'));
    assert.equal(argv.host, '192.0.2.77');
    assert.equal(argv.port, 9443);
    assert.equal(argv.user, 'carol');
    assert.equal(argv.certsFrom, 'profile');
    assert.equal(argv.teamFrom, 'flag');
  });

  it('lets the flags given win over the profile', async () => {
    const argv = await place(
      { command: 'tail', host: 'other.example', port: 1, user: 'erin' },
      {
        CHAT_TEAM: 'beta',
      },
    );
    assert.deepEqual(
      [argv.host, argv.port, argv.user, argv.teamFrom],
      ['other.example', 1, 'erin', 'env'],
    );
  });

  it('asks which team when several exist and none is named', async () => {
    await assert.rejects(
      place({ command: 'send' }),
      (error: unknown) => error instanceof ChatError && /several teams/.test(error.message),
    );
  });

  it('leaves profiles out for an explicit certs folder, however many there are', async () => {
    for (const command of ['send', 'tail', 'tui', 'certs', 'serve', 'invite']) {
      const argv = await place({ command, certs: '/old/checkout/certs' });
      assert.equal(argv.certs, '/old/checkout/certs', command);
      assert.equal(argv.data, '/old/checkout/data', `${command}: data beside the certs`);
      assert.equal(argv.team, undefined, command);
      assert.equal(argv.certsFrom, 'explicit', command);
    }
    const client = await place(
      { command: 'send' },
      { CHAT_CERTS_DIR: '/old/certs', CHAT_DATA: '/d' },
    );
    assert.deepEqual(
      [client.host, client.port, client.user, client.data],
      ['localhost', 8443, undefined, '/d'],
    );
  });

  it("takes a profile's list of nodes, and still reads one address (a profile made before lists)", async () => {
    const gamma = await place({ command: 'tail', team: 'gamma' });
    assert.deepEqual(gamma.servers, [
      { host: 'n1.gamma.example', port: 8443 },
      { host: 'n2.gamma.example', port: 9443 },
    ]);
    assert.deepEqual([gamma.host, gamma.port, gamma.user], ['n1.gamma.example', 8443, 'gus']);
    const alpha = await place({ command: 'send', team: 'alpha' });
    assert.deepEqual(alpha.servers, [{ host: '192.0.2.77', port: 9443 }]);
    // --host or --port over a list: one address, over the list's first.
    const one = await place({ command: 'send', team: 'gamma', port: 7000 });
    assert.deepEqual(one.servers, [{ host: 'n1.gamma.example', port: 7000 }]);
  });

  it('takes --server (or CHAT_SERVER) as a list over the profile, --port for entries without one', async () => {
    const argv = await place({
      command: 'send',
      team: 'alpha',
      server: 'a.example:1,B.example,a.example:1',
      port: 9000,
    });
    assert.deepEqual(argv.servers, [
      { host: 'a.example', port: 1 },
      { host: 'b.example', port: 9000 },
    ]);
    assert.deepEqual([argv.host, argv.port], ['a.example', 1]);
    const repeated = await place({
      command: 'tui',
      team: 'beta',
      server: ['x.example', 'y.example:2'],
    });
    assert.deepEqual(repeated.servers, [
      { host: 'x.example', port: 8443 },
      { host: 'y.example', port: 2 },
    ]);
    await assert.rejects(
      place({ command: 'send', team: 'alpha', server: 'a.example,b.example:0' }),
      (error: unknown) =>
        error instanceof ChatError &&
        error.code === 'USAGE' &&
        error.message ===
          'invalid --server "b.example:0": the port must be a number from 1 to 65535',
    );
    await assert.rejects(
      place({ command: 'send', team: 'alpha', server: 'a.example', host: 'b.example' }),
      (error: unknown) =>
        error instanceof ChatError &&
        error.code === 'USAGE' &&
        /--server and --host/.test(error.message),
    );
  });

  it('refuses a port no client can dial', async () => {
    await assert.rejects(
      place({ command: 'send', team: 'alpha', port: 0 }),
      (error: unknown) => error instanceof ChatError && error.code === 'USAGE',
    );
  });

  it('refuses a relative CHAT_HOME, which would change with the directory', () => {
    assert.throws(
      () => checkProfileEnv({ CHAT_HOME: 'teams' }),
      (error: unknown) =>
        error instanceof ChatError &&
        error.code === 'USAGE' &&
        /not an absolute path/.test(error.message),
    );
    checkProfileEnv({ CHAT_HOME: '/abs/teams' });
    checkProfileEnv({ CHAT_HOME: '' });
  });
});
