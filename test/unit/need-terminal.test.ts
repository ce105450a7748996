import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { terminalProblem } from '../../src/commands/need-terminal.ts';

describe('terminalProblem: chat tui needs a terminal on stdin and stdout', () => {
  it('is fine with both', () => {
    assert.equal(terminalProblem({ stdin: true, stdout: true }), undefined);
  });

  const cases: Array<[stdin: boolean, stdout: boolean, says: RegExp, hint: RegExp]> = [
    [false, true, /stdin is not a terminal/, /chat send/],
    [true, false, /stdout is not a terminal/, /chat tail/],
    [false, false, /stdin and stdout are not terminals/, /chat send.*chat tail/],
  ];
  for (const [stdin, stdout, says, hint] of cases) {
    it(`stdin ${stdin ? 'tty' : 'not'}, stdout ${stdout ? 'tty' : 'not'}: a one-line USAGE error`, () => {
      const error = terminalProblem({ stdin, stdout });
      assert.equal(error?.code, 'USAGE');
      assert.match(error.message, says);
      assert.match(error.hint ?? '', hint);
      assert.ok(!`${error.message}${error.hint}`.includes('\n'));
    });
  }
});
