import assert from 'node:assert/strict';
import { chmod, chown, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { builtCopy } from '../helpers/built-copy.ts';
import { assertOneLineError, runChat } from '../helpers/cli.ts';
import { snapshot, tempDir } from '../helpers/pki.ts';

const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

describe('the chat command line', () => {
  // root reads and writes anything, so some tests run chat as nobody, who may
  // not read this checkout (a clone under a 0700 folder): nobody runs a copy.
  const asRoot = process.getuid?.() === 0;
  const nobody = (home: string) => ({ uid: 65534, gid: 65534, env: { HOME: home }, bin: copy.bin });
  let dir: { path: string; cleanup: () => Promise<void> };
  let copy: Awaited<ReturnType<typeof builtCopy>>;
  before(async () => {
    dir = await tempDir();
    if (asRoot) copy = await builtCopy();
  });
  after(async () => {
    await dir.cleanup();
    if (asRoot) await copy.cleanup();
  });

  it('lists its commands with descriptions and examples in --help', async () => {
    const result = await runChat(['--help'], { cwd: dir.path });
    assert.equal(result.code, 0);
    assert.match(result.stdout, /chat certs\s+create the team's certificate authority/);
    assert.match(result.stdout, /chat completion\s+print a shell completion script/);
    assert.match(result.stdout, /Examples:/);
  });

  it('prints its version', async () => {
    const result = await runChat(['--version'], { cwd: dir.path });
    assert.equal(result.code, 0);
    assert.equal(result.stdout.trim(), pkg.version);
  });

  it('answers an unknown command or flag with one line and exit code 2', async () => {
    assertOneLineError(
      await runChat(['frobnicate'], { cwd: dir.path }),
      2,
      /unknown command "frobnicate".*chat --help/,
    );
    assertOneLineError(
      await runChat(['certs', '--frob'], { cwd: dir.path }),
      2,
      /unknown option --frob/,
    );
  });

  it('prints a completion script', async () => {
    const result = await runChat(['completion'], { cwd: dir.path });
    assert.equal(result.code, 0);
    assert.match(result.stdout, /_chat_yargs_completions|complete -o/);
  });

  it('makes the whole PKI in ./certs, keys 0600', async () => {
    // --user, not $USER: the default is the login name from os.userInfo().
    const result = await runChat(['certs', '--user', 'ada'], { cwd: dir.path });
    assert.equal(result.code, 0, result.stderr);
    const snap = await snapshot(join(dir.path, 'certs'));
    const keys = Object.entries(snap).filter(([name]) => name.endsWith('.key'));
    assert.ok(keys.length >= 4, JSON.stringify(snap));
    for (const [name, value] of keys) assert.match(value, /^600 /, name);
    for (const name of ['ca.crt', 'server.crt', 'crl.pem']) assert.ok(snap[name], name);
    assert.match(result.stdout, /^created\s+certs\/ca\.crt/m);
    assert.ok(snap['clients/ada.key'], JSON.stringify(snap));

    const again = await runChat(['certs', '--user', 'ada'], { cwd: dir.path });
    assert.equal(again.code, 0);
    assert.match(again.stdout, /nothing changed/);
    assert.deepEqual(await snapshot(join(dir.path, 'certs')), snap);
  });

  it('honours CHAT_CERTS_DIR and --dir', async () => {
    const env = { CHAT_CERTS_DIR: join(dir.path, 'from-env') };
    const made = await runChat(['certs', '--user', 'ops'], { cwd: dir.path, env });
    assert.equal(made.code, 0, made.stderr);
    assert.ok((await stat(join(dir.path, 'from-env', 'clients', 'ops.crt'))).isFile());
    const listed = await runChat(['certs', 'list', '--dir', join(dir.path, 'from-env')], {
      cwd: dir.path,
    });
    assert.match(listed.stdout, /^client\s+ops\s/m);
  });

  it('explains a missing CA in one line with the command that fixes it', async () => {
    const empty = join(dir.path, 'empty');
    await mkdir(empty);
    const result = await runChat(['certs', 'client', 'alice'], { cwd: empty });
    assertOneLineError(result, 1, /no certificate authority.*chat certs/);
    assert.deepEqual(await snapshot(empty), {});
  });

  it('explains an invalid name in one line', async () => {
    assertOneLineError(
      await runChat(['certs', 'client', 'Alice!'], { cwd: dir.path }),
      1,
      /invalid user name "Alice!"/,
    );
  });

  it('explains an unwritable directory in one line, writing nothing', async () => {
    const locked = join(dir.path, 'locked');
    await mkdir(locked, { mode: 0o755 });
    await chmod(dir.path, 0o755);
    // root writes anywhere, so run as nobody there; others just lose the write bit.
    if (!asRoot) await chmod(locked, 0o555);
    const result = await runChat(['certs', '--user', 'alice'], {
      cwd: locked,
      ...(asRoot ? nobody(locked) : {}),
    });
    assertOneLineError(result, 1, /cannot write to certs: permission denied/);
    assert.deepEqual(await snapshot(locked), {});
  });
  it('explains a bad --days, an address with a zone, an empty --out and the retired bundle in one line', async () => {
    assertOneLineError(
      await runChat(['certs', '--user', 'ada', '--days', 'abc'], { cwd: dir.path }),
      2,
      /--days takes a number — give --days digits only/,
    );
    assertOneLineError(
      await runChat(['certs', '--user', 'ada', '--ip', 'fe80::1%eth0'], { cwd: dir.path }),
      1,
      /invalid IP address "fe80::1%eth0": it has a zone — .*--ip fe80::1$/,
    );
    assertOneLineError(
      await runChat(['invite', 'ada', '--server', 'localhost', '--out', ''], { cwd: dir.path }),
      2,
      /--out needs a file name/,
    );
    for (const args of [['ada', '--out', 'x'], []]) {
      assertOneLineError(
        await runChat(['certs', 'bundle', ...args], { cwd: dir.path }),
        2,
        /`chat certs bundle` is gone: `chat invite (ada|NAME) --server HOST` replaced it — .*`chat join FILE`/,
      );
    }
  });

  it('leaves a --dir that holds other files open, and says so', async () => {
    const project = join(dir.path, 'project');
    await mkdir(project);
    await writeFile(join(project, 'package.json'), '{}');
    await chmod(project, 0o755);
    const result = await runChat(['certs', '--dir', '.', '--user', 'ada'], { cwd: project });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(((await stat(project)).mode & 0o777).toString(8), '755');
    assert.match(result.stdout, /^note: \. is readable by others \(mode 755\)/m);
  });

  it('loses no revocation to two revokes running at once', async () => {
    const team = join(dir.path, 'team');
    await mkdir(team);
    for (const args of [
      ['certs', '--user', 'ada'],
      ['certs', 'client', 'bob'],
      ['certs', 'client', 'cy'],
    ]) {
      assert.equal((await runChat(args, { cwd: team })).code, 0);
    }
    const results = await Promise.all(
      ['bob', 'cy'].map((name) => runChat(['certs', 'revoke', name], { cwd: team })),
    );
    const listed = await runChat(['certs', 'list', '--json'], { cwd: team });
    const status = new Map(
      listed.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { name: string; status: string })
        .map((c) => [c.name, c.status]),
    );
    for (const [i, result] of results.entries()) {
      const name = ['bob', 'cy'][i] ?? '';
      if (result.code === 0) assert.equal(status.get(name), 'revoked', `${name} said revoked`);
      else assertOneLineError(result, 1, /another chat certs is working in certs — wait/);
    }
  });

  describe('file permissions', () => {
    // As root, chat runs as nobody, in a directory of nobody's.
    let work: string;
    const run = (args: string[]) => runChat(args, { cwd: work, ...(asRoot ? nobody(work) : {}) });
    before(async () => {
      work = join(dir.path, 'perms');
      await mkdir(work);
      await chmod(dir.path, 0o755);
      if (asRoot) await chown(work, 65534, 65534);
      for (const args of [
        ['certs', '--user', 'ada'],
        ['certs', 'client', 'bob'],
      ]) {
        const made = await run(args);
        assert.equal(made.code, 0, made.stderr);
      }
    });

    it('says the CA key cannot be read, not that the directory cannot be written', async () => {
      const key = join(work, 'certs', 'ca.key');
      await chmod(key, 0o000);
      try {
        assertOneLineError(
          await run(['certs', 'client', 'carol']),
          1,
          /cannot read the CA key certs\/ca\.key: permission denied — .*chmod 600/,
        );
      } finally {
        await chmod(key, 0o600);
      }
    });

    it('explains an unwritable clients directory in one line, writing nothing', async () => {
      const clients = join(work, 'certs', 'clients');
      const before = await snapshot(work);
      await chmod(clients, 0o500);
      try {
        assertOneLineError(
          await run(['certs', 'client', 'carol']),
          1,
          /cannot write to certs\/clients: permission denied — /,
        );
      } finally {
        await chmod(clients, 0o700);
      }
      assert.deepEqual(await snapshot(work), before);
    });

    it('explains an unwritable certs directory on revoke in one line, writing nothing', async () => {
      const certs = join(work, 'certs');
      const before = await snapshot(work);
      await chmod(certs, 0o500);
      try {
        assertOneLineError(
          await run(['certs', 'revoke', 'bob']),
          1,
          /cannot write to certs: permission denied — /,
        );
      } finally {
        await chmod(certs, 0o700);
      }
      assert.deepEqual(await snapshot(work), before);
    });

    it('lists every other certificate when one cannot be read', async () => {
      const bob = join(work, 'certs', 'clients', 'bob.crt');
      await chmod(bob, 0o000);
      try {
        const result = await run(['certs', 'list']);
        assert.equal(result.code, 0, result.stderr);
        assert.match(result.stdout, /^client\s+ada\s/m);
        assert.match(
          result.stdout,
          /^warning: certs\/clients\/bob\.crt cannot be read \(permission denied\): skipped$/m,
        );
      } finally {
        await chmod(bob, 0o644);
      }
    });
  });
});
