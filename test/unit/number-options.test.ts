import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkClientPort, checkCount, checkNumbers } from '../../src/cli/number-options.ts';
import { ChatError } from '../../src/errors.ts';

/** Asserts a USAGE ChatError whose message matches `pattern`. */
function refused(run: () => void, pattern: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof ChatError, String(error));
    assert.equal(error.code, 'USAGE');
    assert.match(error.message, pattern);
    return true;
  });
}

describe('checkNumbers', () => {
  it('names the flag that was not given a number, in its dashed spelling', () => {
    refused(() => checkNumbers({ port: Number.NaN }, ['port']), /^--port takes a number$/);
    refused(
      () => checkNumbers({ maxQueue: Number.NaN }, ['maxQueue']),
      /^--max-queue takes a number$/,
    );
    refused(() => checkNumbers({ ip: [1, Number.NaN] }, ['ip']), /--ip/);
  });
  it('lets numbers, absent flags and other options through', () => {
    checkNumbers({ port: 8443, days: undefined, host: 'x' }, ['port', 'days']);
  });
});

describe('checkClientPort', () => {
  for (const port of [1, 8443, 65_535]) it(`takes ${port}`, () => checkClientPort(port));
  for (const port of [0, -1, 65_536, 1.5, Number.NaN])
    it(`refuses ${port}`, () => refused(() => checkClientPort(port), /invalid --port/));
});

describe('checkCount', () => {
  for (const value of [0, 1, 200]) it(`takes ${value}`, () => checkCount(value, '--history'));
  for (const value of [-1, 2.5, Number.NaN])
    it(`refuses ${value}`, () =>
      refused(() => checkCount(value, '--history'), /invalid --history/));
});
