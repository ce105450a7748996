import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { colorEnabled } from '../../src/ui/text/color-choice.ts';

describe('colorEnabled (no-color.org: NO_COLOR set and non-empty; a flag overrides it)', () => {
  const cases: Array<
    [env: Record<string, string | undefined>, flag: boolean | undefined, on: boolean]
  > = [
    [{}, undefined, true],
    [{ NO_COLOR: '1' }, undefined, false],
    [{ NO_COLOR: 'anything' }, undefined, false],
    [{ NO_COLOR: '0' }, undefined, false], // any non-empty value, even "0"
    [{ NO_COLOR: '' }, undefined, true],
    [{ NO_COLOR: undefined }, undefined, true],
    [{}, false, false], // --no-color
    [{ NO_COLOR: '' }, false, false],
    [{ NO_COLOR: '1' }, true, true], // --color wins over NO_COLOR
    [{}, true, true],
  ];
  for (const [env, flag, on] of cases) {
    it(`${JSON.stringify(env)} with flag ${String(flag)} → colour ${on ? 'on' : 'off'}`, () => {
      assert.equal(colorEnabled(env, flag), on);
    });
  }
});
