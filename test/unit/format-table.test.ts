import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTable } from '../../src/commands/format-table.ts';

describe('formatTable', () => {
  it('pads every column but the last to its widest cell', () => {
    assert.equal(
      formatTable([
        ['KIND', 'NAME', 'STATUS'],
        ['ca', 'chat team CA', 'valid'],
        ['client', 'bo', 'revoked'],
      ]),
      [
        'KIND    NAME          STATUS',
        'ca      chat team CA  valid',
        'client  bo            revoked',
      ].join('\n'),
    );
  });
  it('prints nothing for no rows', () => assert.equal(formatTable([]), ''));
});
