import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseStatState } from '../../src/fs/process-alive.ts';
import { CHAT_BIN, chatEnv, startChat, stop, teamMadeByCli } from '../helpers/cli.ts';
import { assertServedFrom, credentialsIn } from '../helpers/hostile.ts';

const stateOf = async (pid: number) =>
  parseStatState(await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => ''));

describe('chat serve right after kill -9', {
  skip: !existsSync('/proc/self/stat') && 'no /proc',
}, () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  before(async () => {
    dir = await teamMadeByCli();
  });
  after(() => dir.cleanup());

  it('starts on the same data directory while the killed server is still a zombie', async () => {
    // The first server's parent is `sleep`, which never reaps it: killed, it stays a zombie.
    const parent = spawn(
      'sh',
      [
        '-c',
        '"$0" "$1" serve --port 0 --data data & echo $!; exec sleep 60',
        process.execPath,
        CHAT_BIN,
      ],
      {
        cwd: dir.path,
        env: chatEnv(dir.path),
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    try {
      const [first] = (await once(parent.stdout, 'data')) as [Buffer];
      const pid = Number(first.toString().trim());
      let logs = '';
      const listening = new Promise<void>((resolve) => {
        parent.stderr.setEncoding('utf8').on('data', (chunk: string) => {
          logs += chunk;
          if (logs.includes('"msg":"listening"')) resolve();
        });
      });
      await listening;
      process.kill(pid, 'SIGKILL');
      const deadline = Date.now() + 5_000;
      // A process changing state has no event to await: poll, bounded.
      while ((await stateOf(pid)) !== 'Z') {
        assert.ok(Date.now() < deadline, `${pid} never became a zombie`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const again = startChat(['serve', '--port', '0', '--data', 'data'], dir.path);
      let code: number | null;
      try {
        const { port } = JSON.parse(await again.waitFor('stderr', /"msg":"listening"/)) as {
          port: number;
        };
        assert.equal(await stateOf(pid), 'Z', 'the old server was still a zombie');
        const ada = await credentialsIn(join(dir.path, 'certs'), 'ada');
        await assertServedFrom(port, ada, ada);
      } finally {
        code = await stop(again.child);
      }
      assert.equal(code, 0);
    } finally {
      const exited = once(parent, 'exit');
      parent.kill('SIGKILL');
      await exited;
    }
  });
});
