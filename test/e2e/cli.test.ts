import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CliResult, runChat } from '../helpers/cli.ts';
import { snapshot, tempDir } from '../helpers/pki.ts';

const pkg = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

/** A user error: exit 1 or 2, exactly one line on stderr, no stack trace. */
function assertOneLineError(result: CliResult, code: number, pattern: RegExp): void {
  assert.equal(result.code, code, result.stderr);
  const lines = result.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0] ?? '', /^chat: /);
  assert.match(lines[0] ?? '', pattern);
  assert.doesNotMatch(result.stderr, /\n\s+at /);
}

describe('the chat command line', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  before(async () => {
    dir = await tempDir();
  });
  after(() => dir.cleanup());

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
    const result = await runChat(['certs'], { cwd: dir.path, env: { USER: 'root' } });
    assert.equal(result.code, 0, result.stderr);
    const snap = await snapshot(join(dir.path, 'certs'));
    const keys = Object.entries(snap).filter(([name]) => name.endsWith('.key'));
    assert.ok(keys.length >= 4, JSON.stringify(snap));
    for (const [name, value] of keys) assert.match(value, /^600 /, name);
    for (const name of ['ca.crt', 'server.crt', 'crl.pem']) assert.ok(snap[name], name);
    assert.match(result.stdout, /^created\s+certs\/ca\.crt/m);

    const again = await runChat(['certs'], { cwd: dir.path });
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
    const asRoot = process.getuid?.() === 0;
    if (!asRoot) await chmod(locked, 0o555);
    const result = await runChat(['certs', '--user', 'alice'], {
      cwd: locked,
      ...(asRoot ? { uid: 65534, gid: 65534, env: { HOME: locked } } : {}),
    });
    assertOneLineError(result, 1, /cannot write to certs: permission denied/);
    assert.deepEqual(await snapshot(locked), {});
  });
});
