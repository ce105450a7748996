import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runChat } from '../helpers/cli.ts';
import { tempDir } from '../helpers/pki.ts';

/**
 * Numeric flags are checked by the parser (issue 14): one line naming the
 * flag and exit 2, before anything connects, instead of an "unexpected
 * error" or a client that retries port 0 for ever.
 */
describe('numeric flags through the real CLI', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  before(async () => {
    dir = await tempDir();
  });
  after(() => dir.cleanup());

  const cases: Array<[args: string[], said: RegExp]> = [
    [['send', '--port', 'abc', 'hi'], /^chat: --port takes a number/],
    [['tail', '--port', '0'], /^chat: invalid --port 0 .*from 1 to 65535/],
    [['tail', '--port', '70000'], /^chat: invalid --port 70000/],
    [['tail', '--history', '-3'], /^chat: invalid --history -3/],
    [['serve', '--max-queue', 'lots'], /^chat: --max-queue takes a number/],
    [['certs', '--days', 'ten'], /^chat: --days takes a number/],
  ];
  for (const [args, said] of cases) {
    it(`chat ${args.join(' ')}`, { timeout: 10_000 }, async () => {
      const result = await runChat(args, { cwd: dir.path });
      assert.equal(result.code, 2, result.stderr);
      const lines = result.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, result.stderr);
      assert.match(lines[0] ?? '', said);
    });
  }
});
