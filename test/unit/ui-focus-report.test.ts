import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { focusReportOf } from '../../src/ui/input/focus-report.ts';
import { idlePasteReader, readPasteEvent } from '../../src/ui/input/paste.ts';

const ESC = '\u001b';

describe('focus reports', () => {
  it('CSI I and CSI O are focus in and out; nothing else is', () => {
    assert.equal(focusReportOf(`${ESC}[I`), 'in');
    assert.equal(focusReportOf(`${ESC}[O`), 'out');
    for (const other of ['I', 'O', `${ESC}[1;2I`, `${ESC}OI`, `${ESC}[I${ESC}[O`, `${ESC}[A`]) {
      assert.equal(focusReportOf(other), undefined, JSON.stringify(other));
    }
  });
  it('are not paste markers either (the paste reader leaves them to the gate)', () => {
    assert.equal(readPasteEvent(idlePasteReader, `${ESC}[I`).consumed, false);
  });
});
