import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  assertOneLineError,
  freePort,
  machineAt,
  runChat,
  runChatInPty,
  type Serving,
  startChatInPty,
  startServe,
  stop,
} from '../helpers/cli.ts';
import { tempDir } from '../helpers/pki.ts';

/**
 * Per-team profiles in the platform's places (issue 14, item 2) and a first
 * run without surprises (item 4), through the real CLI with a home of its
 * own: nothing comes from the current directory, a named folder or team is
 * never filled with a new CA, and a reachable server is never answered by one.
 */

/** A machine: a home with XDG folders, and what `chat` there needs in its environment. */
function machine(root: string) {
  return machineAt(join(root, 'home'));
}

/** `chat tui` runs only in a terminal: these run it in one of its own. */
const tui = runChatInPty;

describe('team profiles under the XDG folders', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let alice: ReturnType<typeof machine>;
  let server: Serving | undefined;
  /** An unrelated directory to run from: nothing may land in it. */
  let elsewhere: string;

  before(async () => {
    dir = await tempDir();
    alice = machine(dir.path);
    elsewhere = join(dir.path, 'elsewhere');
    await mkdir(elsewhere);
  });
  after(async () => {
    if (server) await stop(server.child);
    await dir.cleanup();
  });

  const chat = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    runChat(args, { cwd: elsewhere, env: { ...alice.env, ...env } });

  it('keeps certificates in XDG_CONFIG_HOME and data in XDG_DATA_HOME, for any directory', async () => {
    const made = await chat(['certs', '--user', 'alice']);
    assert.equal(made.code, 0, made.stderr);
    const certs = join(alice.config, 'chat', 'default', 'certs');
    for (const file of ['ca.crt', 'ca.key', 'server.crt', 'clients/alice.crt'])
      assert.ok(existsSync(join(certs, file)), `${file} in the default profile`);
    server = await startServe(['--store', 'disk'], elsewhere, alice.env);
    assert.ok(
      existsSync(join(alice.data, 'chat', 'default', 'history')),
      'history in XDG_DATA_HOME',
    );
    // No flag: the profile says where the certificates are.
    const sent = await chat(['send', '--port', String(server.port), 'from the profile']);
    assert.equal(sent.code, 0, sent.stderr);
    assert.deepEqual(await readdir(elsewhere), [], 'nothing written where chat was run');
  });

  it('puts everything of a team in one folder with CHAT_HOME', async () => {
    const home = join(dir.path, 'chat-home');
    const made = await chat(['certs', '--user', 'alice'], { CHAT_HOME: home });
    assert.equal(made.code, 0, made.stderr);
    assert.ok(existsSync(join(home, 'default', 'certs', 'ca.crt')));
  });

  it('takes the team from --team or CHAT_TEAM, and asks when several and none is default', async () => {
    const home = join(dir.path, 'teams');
    for (const team of ['acme', 'zeta']) {
      const made = await chat(['certs', '--team', team, '--user', 'alice'], { CHAT_HOME: home });
      assert.equal(made.code, 0, made.stderr);
      assert.ok(existsSync(join(home, team, 'certs', 'ca.crt')), team);
    }
    assertOneLineError(
      await chat(['certs', 'list'], { CHAT_HOME: home }),
      2,
      /several teams \(acme, zeta\).*--team NAME/,
    );
    const listed = await chat(['certs', 'list'], { CHAT_HOME: home, CHAT_TEAM: 'zeta' });
    assert.equal(listed.code, 0, listed.stderr);
    assertOneLineError(
      await chat(['certs', 'list', '--team', 'No/Such'], { CHAT_HOME: home }),
      2,
      /invalid team name/,
    );
  });
});

describe('a first run without surprises', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let admin: ReturnType<typeof machine>;
  let server: Serving | undefined;

  before(async () => {
    dir = await tempDir();
    admin = machine(join(dir.path, 'admin'));
    const made = await runChat(['certs', '--user', 'admin'], { cwd: dir.path, env: admin.env });
    assert.equal(made.code, 0, made.stderr);
    server = await startServe([], dir.path, admin.env);
  });
  after(async () => {
    if (server) await stop(server.child);
    await dir.cleanup();
  });

  it('makes a team on the first run of the default profile, with nothing listening', {
    timeout: 30_000,
  }, async () => {
    const dana = machine(join(dir.path, 'dana'));
    const port = await freePort();
    const run = startChatInPty(['tui', '--port', String(port), '--user', 'dana'], {
      cwd: dir.path,
      env: dana.env,
    });
    try {
      await run.waitFor(/first run: made the team's certificates/);
      await run.waitFor(/connected/);
      run.keys('/quit\r');
      assert.equal(await run.exited, 0);
    } finally {
      run.child.kill('SIGKILL');
    }
    const certs = join(dana.config, 'chat', 'default', 'certs');
    assert.ok(existsSync(join(certs, 'ca.crt')) && existsSync(join(certs, 'clients', 'dana.crt')));
    assert.ok(
      existsSync(join(dana.data, 'chat', 'default', 'history')),
      'the embedded server kept its history there',
    );
  });

  it('refuses a mistyped --certs in one line and creates nothing there', async () => {
    const mistyped = join(dir.path, 'mistyped');
    const args = ['--certs', mistyped, '--port', String(server?.port)];
    const refused = /mistyped holds no certificates \(no ca\.crt\).*chat certs --dir/;
    assertOneLineError(await tui(['tui', ...args], { cwd: dir.path }), 1, refused);
    assertOneLineError(await runChat(['send', ...args, 'hi'], { cwd: dir.path }), 1, refused);
    assert.equal(existsSync(mistyped), false, 'no CA made in a folder that was named by mistake');
  });

  it('refuses a team this machine has no profile for, naming chat join', async () => {
    const carol = machine(join(dir.path, 'carol-team'));
    assertOneLineError(
      await tui(['tui', '--team', 'acme', '--port', String(server?.port)], {
        cwd: dir.path,
        env: carol.env,
      }),
      1,
      /no profile for the team acme.*chat join FILE.*chat certs --team acme/,
    );
    assert.equal(existsSync(carol.home), false);
  });

  it('never answers a reachable server with a second CA', async () => {
    const carol = machine(join(dir.path, 'carol'));
    assertOneLineError(
      await tui(['tui', '--port', String(server?.port)], { cwd: dir.path, env: carol.env }),
      1,
      /a server already runs at localhost:\d+, and this machine has no certificates for it.*chat join FILE/,
    );
    assert.equal(existsSync(carol.home), false, 'no CA made on the new machine');
  });
});
