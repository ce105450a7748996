import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeTeam, type Team } from '../helpers/chat-server.ts';
import { CHAT_BIN, chatEnvWords, runChat } from '../helpers/cli.ts';
import { type Impostor, startImpostor } from '../helpers/impostors.ts';
import { tempDir } from '../helpers/pki.ts';
import { shellWord, TmuxTerminal } from '../helpers/tmux.ts';

/** The one line on stderr, checked to be the only one. */
function oneLine(stderr: string): string {
  const lines = stderr.split('\n').filter((line) => line !== '');
  assert.equal(lines.length, 1, `one line on stderr, got:\n${stderr}`);
  return lines[0] ?? '';
}

describe('chat send and chat tail to a port that is not a chat server', () => {
  let team: Team;
  const impostors: Impostor[] = [];

  before(async () => {
    team = await makeTeam(['alice']);
  });
  after(async () => {
    await Promise.all(impostors.map((i) => i.close()));
    await team.dir.cleanup();
  });

  const chat = (command: string, port: number) =>
    runChat(
      [
        command,
        '--certs',
        team.certsDir,
        '--user',
        'alice',
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
        ...(command === 'send' ? ['hello'] : []),
      ],
      { cwd: team.dir.path },
    );

  it('a plain HTTP server: "does not speak TLS", one line, exit 1', async () => {
    const http = await startImpostor('http');
    impostors.push(http);
    for (const command of ['send', 'tail']) {
      const result = await chat(command, http.port);
      assert.equal(result.code, 1, `${command}: ${result.stderr}`);
      assert.equal(
        oneLine(result.stderr),
        `chat: 127.0.0.1:${http.port} does not speak TLS: is it a chat server? — check --host and --port: they must name a \`chat serve\``,
      );
      assert.equal(result.stdout, '');
    }
  });

  it('an HTTPS server with a certificate of the team: "speaks TLS but is not a chat server"', async () => {
    const https = await startImpostor('https', team.certsDir);
    impostors.push(https);
    const result = await chat('send', https.port);
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      oneLine(result.stderr),
      /^chat: 127\.0\.0\.1:\d+ speaks TLS but is not a chat server: it answered "HTTP\/1\.1 400 Bad Request" — check --host and --port/,
    );
  });
});

describe('chat tui without a terminal', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  const terminals: TmuxTerminal[] = [];

  before(async () => {
    dir = await tempDir();
  });
  after(async () => {
    await Promise.all(terminals.map((t) => t.stop()));
    await dir.cleanup();
  });

  it('stdin and stdout not terminals: one line, exit 2, nothing written and nothing made', async () => {
    // The default profile, on its first run: with a terminal this would make a CA and start a server.
    const result = await runChat(['tui', '--port', '1'], {
      cwd: dir.path,
      env: { CHAT_CERTS_DIR: '', CHAT_DATA: '' },
    });
    assert.equal(result.code, 2, result.stderr);
    assert.equal(result.stdout, '', 'no escapes on stdout');
    assert.match(
      oneLine(result.stderr),
      /^chat: chat tui needs a terminal: stdin and stdout are not terminals — .*chat send.*chat tail/,
    );
    assert.deepEqual(await readdir(dir.path), [], 'no certificates, no profile, no data');
  });

  for (const [name, redirect, says] of [
    ['chat-pipe-tui', 'echo hi | ', /stdin is not a terminal — .*chat send/],
    ['chat-file-tui', '', /stdout is not a terminal — .*chat tail/],
  ] as const) {
    it(`${redirect ? 'echo hi | chat tui' : 'chat tui > file'}: one line, exit 2, no escapes written`, async () => {
      const out = join(dir.path, `${name}.out`);
      const words = [process.execPath, CHAT_BIN, 'tui', '--port', '1'].map(shellWord).join(' ');
      const tui = await TmuxTerminal.start(
        name,
        dir.path,
        `${redirect}env ${chatEnvWords(dir.path)} ${words}${redirect ? '' : ` > ${shellWord(out)}`}`,
        { rawTo: join(dir.path, `${name}.raw`) },
      );
      terminals.push(tui);
      const screen = await tui.waitFor(/\[exited \d+\]/);
      assert.match(screen, /\[exited 2\]/);
      assert.match(screen.replaceAll('\n', ''), says);
      assert.ok(!(await tui.raw()).includes('\u001b'), 'no escape reached the terminal');
      if (!redirect) assert.equal(await readFile(out, 'utf8'), '', 'nothing written to the file');
    });
  }
});
