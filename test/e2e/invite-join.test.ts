import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { portAnswers } from '../../src/net/port-probe.ts';
import {
  assertOneLineError,
  freePort,
  machineAt,
  runChat,
  type Serving,
  startChat,
  startChatInPty,
  startServe,
  stop,
} from '../helpers/cli.ts';
import { tempDir } from '../helpers/pki.ts';

/**
 * A teammate on another machine (issue 14, item 3), through the real CLI:
 * alice's machine and each teammate's are homes of their own, with their
 * profiles under XDG folders. alice invites with `chat invite`, the
 * teammate runs `chat join` with the file and the passphrase, and then
 * `chat send`, `chat tail` and `chat tui` need no flag.
 */

/** A machine: a home with XDG folders, a folder to run chat in, and its environment. */
async function machine(root: string, name: string) {
  const at = machineAt(join(root, name));
  const cwd = join(at.home, 'work');
  await mkdir(cwd, { recursive: true });
  return { ...at, cwd, profile: join(at.config, 'chat', 'default') };
}
type Machine = Awaited<ReturnType<typeof machine>>;

const modeOf = async (path: string) => ((await stat(path)).mode & 0o777).toString(8);

const PASSPHRASE = 'four words for carol, typed once';

/** The SHA-256 fingerprint of the CA in a machine's default profile. */
const caFingerprint = async (m: Machine) =>
  new X509Certificate(await readFile(join(m.profile, 'certs', 'ca.crt'))).fingerprint256;

describe('a teammate joins from another machine with one invite', { timeout: 180_000 }, () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let alice: Machine;
  let server: Serving | undefined;
  let port = 0;
  let carolInvite = '';

  const chat = (m: Machine, args: string[], env: NodeJS.ProcessEnv = {}) =>
    runChat(args, { cwd: m.cwd, env: { ...m.env, ...env } });
  /** alice invites `name` to her running server; the file lands in her work folder. */
  const invite = async (name: string, args: string[] = []) => {
    const made = await chat(
      alice,
      ['invite', name, '--server', `127.0.0.1:${port}`, '--passphrase-env', 'P', ...args],
      { P: PASSPHRASE },
    );
    assert.equal(made.code, 0, made.stderr);
    return join(alice.cwd, `${name}.chat-invite`);
  };

  before(async () => {
    dir = await tempDir();
    alice = await machine(dir.path, 'alice');
    const made = await chat(alice, ['certs', '--user', 'alice']);
    assert.equal(made.code, 0, made.stderr);
    server = await startServe([], alice.cwd, alice.env);
    port = server.port;
  });
  after(async () => {
    if (server) await stop(server.child);
    await dir.cleanup();
  });

  it('alice writes one 0600 invite and is told the two lines to send', async () => {
    const made = await chat(
      alice,
      ['invite', 'carol', '--server', `127.0.0.1:${port}`, '--passphrase-env', 'P'],
      { P: PASSPHRASE },
    );
    assert.equal(made.code, 0, made.stderr);
    // The server certificate names 127.0.0.1: no warning about names, one about loopback.
    assert.deepEqual(made.stderr.trimEnd().split('\n'), [
      "chat: warning: 127.0.0.1 is this machine's own loopback: only a teammate on this machine can dial it",
      `chat: note: the team's CA fingerprint is ${await caFingerprint(alice)} (chat join shows it too: compare them)`,
    ]);
    assert.deepEqual(made.stdout.trimEnd().split('\n'), [
      'send carol the file ./carol.chat-invite, and on another channel the passphrase (the one in $P)',
      'carol then runs: chat join carol.chat-invite',
    ]);
    carolInvite = join(alice.cwd, 'carol.chat-invite');
    assert.equal(await modeOf(carolInvite), '600');
    // alice keeps carol's certificate (to list and revoke it), never her key.
    const clients = join(alice.profile, 'certs', 'clients');
    assert.ok(existsSync(join(clients, 'carol.crt')));
    assert.ok(!existsSync(join(clients, 'carol.key')), "carol's key is only in the invite");
    assert.ok(existsSync(join(clients, 'alice.key')), "alice's own key stays");
    const text = await readFile(carolInvite, 'latin1');
    assert.match(text, /^chat-invite 1\n\{"kdf":"scrypt","n":131072,"r":8,"p":1,/);
    for (const secret of ['carol', 'PRIVATE KEY', 'CERTIFICATE', '127.0.0.1'])
      assert.ok(!text.includes(secret), `${secret} is sealed`);

    // Never overwritten, never re-issued, without --force.
    assertOneLineError(
      await chat(alice, ['invite', 'carol', '--server', '127.0.0.1', '--out', 'other.chat-invite']),
      1,
      /carol already has a certificate — .*--force` issues a new one and revokes the old/,
    );
    assertOneLineError(
      await chat(alice, ['invite', 'carol', '--server', '127.0.0.1']),
      1,
      /\.\/carol\.chat-invite already exists — .*--force/,
    );
    assert.equal(await readFile(carolInvite, 'latin1'), text);
    assert.ok(!existsSync(join(alice.cwd, 'other.chat-invite')));
  });

  it('carol joins: the profile is installed, 0600 keys in 0700 folders, and the server welcomes her', async () => {
    const carol = await machine(dir.path, 'carol');
    const joined = await chat(carol, ['join', carolInvite, '--passphrase-env', 'P'], {
      P: PASSPHRASE,
    });
    assert.equal(joined.code, 0, joined.stderr);
    assert.equal(joined.stderr, '');
    assert.deepEqual(joined.stdout.trimEnd().split('\n'), [
      `installed the team default's profile for carol in ${carol.profile}`,
      `the team's CA fingerprint is ${await caFingerprint(alice)} (compare it with the one chat invite showed your admin)`,
      `connected to 127.0.0.1:${port} as carol`,
    ]);
    const certs = join(carol.profile, 'certs');
    assert.equal(await modeOf(join(certs, 'clients', 'carol.key')), '600');
    for (const folder of [carol.profile, certs, join(certs, 'clients')])
      assert.equal(await modeOf(folder), '700', folder);
    assert.equal(
      await readFile(join(certs, 'ca.crt'), 'utf8'),
      await readFile(join(alice.profile, 'certs', 'ca.crt'), 'utf8'),
    );
    assert.deepEqual(JSON.parse(await readFile(join(carol.profile, 'settings.json'), 'utf8')), {
      server: { host: '127.0.0.1', port },
      user: 'carol',
    });
    assert.ok(!existsSync(join(certs, 'ca.key')), 'no CA key on a member machine');
  });

  it("carol's `chat send` with no flag reaches alice's `chat tail`, and so does her `chat tui`", async () => {
    const carol = await machine(dir.path, 'carol');
    // alice's own profile keeps using her certificate, carol's beside it.
    // With history: "connection open" is logged before the tail's hello is
    // taken, so a send right after it may land before the tail is in #general.
    const tail = startChat(
      ['tail', '--port', String(port), '--history', '20'],
      alice.cwd,
      alice.env,
    );
    const tui = startChatInPty(['tui'], { cwd: carol.cwd, env: carol.env });
    try {
      await server?.waitFor('stderr', /"user":"alice".*"msg":"connection open"/);
      const sent = await chat(carol, ['send', 'hello from carol']);
      assert.equal(sent.code, 0, sent.stderr);
      assert.match(
        await tail.waitFor('stdout', /hello from carol/),
        /^\[\d\d:\d\d\] <carol> hello from carol$/,
      );

      await tui.waitFor(/connected/);
      tui.keys('and from the tui');
      await tui.waitFor(/and from the tui/);
      tui.keys('\r');
      assert.match(
        await tail.waitFor('stdout', /and from the tui/),
        /^\[\d\d:\d\d\] <carol> and from the tui$/,
      );
      tui.keys('/quit\r');
      assert.equal(await tui.exited, 0);
    } finally {
      tui.child.kill('SIGKILL');
      await stop(tail.child);
    }
  });

  it("carol's phone joins with an invite of its own: a second certificate of carol's, the first kept", async () => {
    const first = await chat(alice, ['certs', 'list', '--json']);
    const carolFirst = first.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line))
      .find((c) => c.name === 'carol');
    await invite('carol', ['--device', 'phone']);
    const file = join(alice.cwd, 'carol@phone.chat-invite');
    assert.equal(await modeOf(file), '600');
    const phone = await machine(dir.path, 'carol-phone');
    const joined = await chat(phone, ['join', file, '--passphrase-env', 'P'], { P: PASSPHRASE });
    assert.equal(joined.code, 0, joined.stderr);
    assert.equal(joined.stdout.trimEnd().split('\n')[2], `connected to 127.0.0.1:${port} as carol`);
    const listed = await chat(alice, ['certs', 'list', '--json']);
    const carols = listed.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line))
      .filter((c) => c.name === 'carol');
    assert.deepEqual(
      carols.map((c) => [c.device, c.status]),
      [
        [undefined, 'valid'],
        ['phone', 'valid'],
      ],
    );
    assert.equal(carols[0].serial, carolFirst.serial, 'the first certificate is not revoked');
  });

  it('refuses a wrong passphrase in one line and installs nothing', async () => {
    const mallory = await machine(dir.path, 'mallory');
    assertOneLineError(
      await chat(mallory, ['join', carolInvite, '--passphrase-env', 'P'], { P: 'not the one' }),
      1,
      /^chat: the passphrase does not open .*carol\.chat-invite — type it again exactly/,
    );
    assert.ok(!existsSync(mallory.config), 'no profile');
  });

  it('refuses an invite changed in one byte, and one cut short, installing nothing', async () => {
    const mallory = await machine(dir.path, 'mallory2');
    const bytes = await readFile(carolInvite);
    const changed = Buffer.from(bytes);
    const at = bytes.length - 40; // inside the sealed body
    changed[at] = changed[at] === 0x41 ? 0x42 : 0x41;
    const tampered = join(mallory.cwd, 'tampered.chat-invite');
    await writeFile(tampered, changed);
    assertOneLineError(
      await chat(mallory, ['join', tampered, '--passphrase-env', 'P'], { P: PASSPHRASE }),
      1,
      /tampered\.chat-invite was changed after it was sealed, so it cannot be trusted — ask for the invite again/,
    );
    const cut = join(mallory.cwd, 'cut.chat-invite');
    await writeFile(cut, bytes.subarray(0, 500));
    // Refused before a passphrase is asked for: none is given here.
    assertOneLineError(await chat(mallory, ['join', cut]), 1, /cut\.chat-invite is cut short/);
    assertOneLineError(
      await chat(mallory, ['join', join(alice.profile, 'certs', 'ca.crt')]),
      1,
      /ca\.crt is not a chat invite/,
    );
    assert.ok(!existsSync(mallory.config), 'no profile');
  });

  it('installs the profile when the server is down, says so, and exits 0', async () => {
    const down = await freePort();
    const made = await chat(
      alice,
      ['invite', 'dave', '--server', `127.0.0.1:${down}`, '--passphrase-env', 'P'],
      { P: PASSPHRASE },
    );
    assert.equal(made.code, 0, made.stderr);
    const dave = await machine(dir.path, 'dave');
    const joined = await chat(
      dave,
      ['join', join(alice.cwd, 'dave.chat-invite'), '--passphrase-env', 'P'],
      {
        P: PASSPHRASE,
      },
    );
    assert.equal(joined.code, 0, joined.stderr);
    assert.equal(
      joined.stdout.trimEnd().split('\n')[2],
      `installed; the server at 127.0.0.1:${down} is not reachable now (nothing is listening on 127.0.0.1:${down}): \`chat tui\` connects once it is`,
    );
    assert.ok(existsSync(join(dave.profile, 'certs', 'clients', 'dave.key')));

    // dave's profile cannot serve: his `chat tui` waits for the team's server, never starts one.
    const tui = startChatInPty(['tui'], { cwd: dave.cwd, env: dave.env });
    try {
      await tui.waitFor(new RegExp(`nothing is listening on 127\\.0\\.0\\.1:${down}`));
      assert.doesNotMatch(tui.output(), /started one in this process/);
      assert.equal(await portAnswers('127.0.0.1', down), false, 'no embedded server');
      tui.keys('\x03');
      assert.equal(await tui.exited, 0);
    } finally {
      tui.child.kill('SIGKILL');
    }
  });

  it('says, exit 1, when the server refuses the certificate (revoked since the invite)', async () => {
    const file = await invite('gina');
    const revoked = await chat(alice, ['certs', 'revoke', 'gina']);
    assert.equal(revoked.code, 0, revoked.stderr);
    const count = /the list now holds (\d+)/.exec(revoked.stdout)?.[1];
    await server?.waitFor('stderr', new RegExp(`"revoked":${count},.*"msg":"crl reloaded"`));
    const gina = await machine(dir.path, 'gina');
    const joined = await chat(gina, ['join', file, '--passphrase-env', 'P'], { P: PASSPHRASE });
    assertOneLineError(
      joined,
      1,
      new RegExp(
        `^chat: installed, but the server at 127\\.0\\.0\\.1:${port} refused the certificate \\(.*revoked\\) — ask your team's admin for a new invite`,
      ),
    );
    assert.match(joined.stdout, /^installed the team default's profile for gina/);
  });

  it("refuses to replace another team's default profile in one line; --team installs beside it", async () => {
    const frank = await machine(dir.path, 'frank');
    const own = await chat(frank, ['certs', '--user', 'frank']);
    assert.equal(own.code, 0, own.stderr);
    const caBefore = await readFile(join(frank.profile, 'certs', 'ca.crt'), 'utf8');
    assertOneLineError(
      await chat(frank, ['join', carolInvite, '--passphrase-env', 'P'], { P: PASSPHRASE }),
      1,
      /already has a profile named default \(.*\), of another team — join under another name with --team OTHER, or replace it with --force/,
    );
    assert.equal(await readFile(join(frank.profile, 'certs', 'ca.crt'), 'utf8'), caBefore);

    const joined = await chat(
      frank,
      ['join', carolInvite, '--team', 'alices', '--passphrase-env', 'P'],
      {
        P: PASSPHRASE,
      },
    );
    assert.equal(joined.code, 0, joined.stderr);
    assert.match(joined.stdout, new RegExp(`connected to 127\\.0\\.0\\.1:${port} as carol`));
    // Two teams now, one of them default: the note says how to reach the new one.
    assert.match(joined.stderr, /^chat: note: .*give chat --team alices/m);
    const sent = await chat(frank, ['send', '--team', 'alices', 'from the second team']);
    assert.equal(sent.code, 0, sent.stderr);
    assert.equal(await readFile(join(frank.profile, 'certs', 'ca.crt'), 'utf8'), caBefore);

    // --force replaces his own team, moving its keys and its server data aside together.
    const oldData = join(frank.data, 'chat', 'default');
    await mkdir(join(oldData, 'history'), { recursive: true });
    await writeFile(join(oldData, 'users.json'), '{}');
    const forced = await chat(frank, ['join', carolInvite, '--force', '--passphrase-env', 'P'], {
      P: PASSPHRASE,
    });
    assert.equal(forced.code, 0, forced.stderr);
    const aside = /kept in (\S+) \(its server data in (\S+)\)$/m.exec(forced.stderr);
    assert.ok(aside, forced.stderr);
    assert.equal(await readFile(join(aside[1] ?? '', 'certs', 'ca.crt'), 'utf8'), caBefore);
    assert.ok(existsSync(join(aside[2] ?? '', 'users.json')), 'the old data is kept aside');
    assert.ok(!existsSync(oldData), 'the new profile starts with no data of the old team');
    assert.equal(await caFingerprint(frank), await caFingerprint(alice));
  });

  it('asks the passphrase on the terminal without echo, and again when it is wrong', async () => {
    const made = await chat(alice, ['invite', 'erin', '--server', `127.0.0.1:${port}`]);
    assert.equal(made.code, 0, made.stderr);
    const passphrase = /the passphrase: (\S+)$/m.exec(made.stdout)?.[1] ?? '';
    assert.match(passphrase, /^[0-9a-z]{4}(-[0-9a-z]{4}){4}$/);
    const erin = await machine(dir.path, 'erin');
    const run = startChatInPty(['join', join(alice.cwd, 'erin.chat-invite')], {
      cwd: erin.cwd,
      env: erin.env,
    });
    try {
      await run.waitFor(/passphrase for erin\.chat-invite: /);
      run.keys('wrong-guess\r');
      await run.waitFor(/that passphrase does not open it: try again/);
      await run.waitFor(
        /passphrase for erin\.chat-invite: [\s\S]*passphrase for erin\.chat-invite: /,
      );
      // Typed as a person might read it out: in capitals, without dashes.
      run.keys(`${passphrase.replaceAll('-', '').toUpperCase()}\r`);
      await run.waitFor(new RegExp(`connected to 127\\.0\\.0\\.1:${port} as erin`));
      assert.equal(await run.exited, 0);
    } finally {
      run.child.kill('SIGKILL');
    }
    assert.doesNotMatch(run.output(), /wrong-guess/, 'nothing typed is shown');
    assert.ok(!run.output().toLowerCase().includes(passphrase.replaceAll('-', '')));
  });

  it('refuses a --server no teammate can dial, and bad --days, before issuing anything', async () => {
    for (const server of ['0.0.0.0', '[::]:8443']) {
      assertOneLineError(
        await chat(alice, ['invite', 'ivan', '--server', server]),
        2,
        /^chat: invalid --server .*"every interface" to a listening server, and no client can dial it/,
      );
    }
    for (const days of ['-5', '0', '40000']) {
      assertOneLineError(
        await chat(alice, ['invite', 'ivan', '--server', '127.0.0.1', '--days', days]),
        2,
        /^chat: invalid --days: .* — give a whole number of days from 1 to 36500/,
      );
    }
    assert.ok(!existsSync(join(alice.profile, 'certs', 'clients', 'ivan.crt')), 'nothing issued');
  });

  it('says in one line what to do when there is no terminal and no --passphrase-env', async () => {
    const henry = await machine(dir.path, 'henry');
    assertOneLineError(
      await chat(henry, ['join', carolInvite]),
      2,
      /no terminal to type the passphrase in — .*--passphrase-env VAR/,
    );
  });
});
