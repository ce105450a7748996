import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  idleMouseReader,
  MOUSE_REPORTING_OFF,
  MOUSE_REPORTING_ON,
  type MouseReader,
  type MouseReport,
  parseMouseReport,
  readMouseEvent,
} from '../../src/ui/input/mouse.ts';

const ESC = '\u001b';

const plain = { release: false, motion: false, shift: false, alt: false, ctrl: false };

describe('mouse reporting modes', () => {
  it('asks for presses and the wheel with SGR coordinates, no motion; off in reverse order', () => {
    assert.equal(MOUSE_REPORTING_ON, `${ESC}[?1000h${ESC}[?1006h`);
    assert.equal(MOUSE_REPORTING_OFF, `${ESC}[?1006l${ESC}[?1000l`);
    assert.doesNotMatch(MOUSE_REPORTING_ON, /100[23]/);
  });
});

describe('parseMouseReport', () => {
  const cases: Array<[event: string, expected: MouseReport | undefined]> = [
    [`${ESC}[<0;3;4M`, { ...plain, button: 'left', x: 3, y: 4 }],
    [`${ESC}[<0;3;4m`, { ...plain, button: 'left', x: 3, y: 4, release: true }],
    [`${ESC}[<1;1;1M`, { ...plain, button: 'middle', x: 1, y: 1 }],
    [`${ESC}[<2;250;80M`, { ...plain, button: 'right', x: 250, y: 80 }],
    [`${ESC}[<64;10;5M`, { ...plain, button: 'wheelUp', x: 10, y: 5 }],
    [`${ESC}[<65;10;5M`, { ...plain, button: 'wheelDown', x: 10, y: 5 }],
    [`${ESC}[<66;10;5M`, { ...plain, button: 'wheelLeft', x: 10, y: 5 }],
    [`${ESC}[<4;2;2M`, { ...plain, button: 'left', x: 2, y: 2, shift: true }],
    [`${ESC}[<8;2;2M`, { ...plain, button: 'left', x: 2, y: 2, alt: true }],
    [`${ESC}[<16;2;2M`, { ...plain, button: 'left', x: 2, y: 2, ctrl: true }],
    [`${ESC}[<32;2;2M`, { ...plain, button: 'left', x: 2, y: 2, motion: true }],
    [`${ESC}[<35;2;2M`, { ...plain, button: 'other', x: 2, y: 2, motion: true }],
    [`${ESC}[<128;2;2M`, { ...plain, button: 'other', x: 2, y: 2 }],
    [`${ESC}[<80;2;2M`, { ...plain, button: 'wheelUp', x: 2, y: 2, ctrl: true }],
    // The legacy X10 encoding: ESC [ M and three bytes, each plus 32.
    [`${ESC}[M !!`, { ...plain, button: 'left', x: 1, y: 1 }],
    [`${ESC}[M"*%`, { ...plain, button: 'right', x: 10, y: 5 }],
    [`${ESC}[M#*%`, { ...plain, button: 'other', x: 10, y: 5, release: true }],
    [`${ESC}[Ma!!`, { ...plain, button: 'wheelDown', x: 1, y: 1 }],
    [`${ESC}[M0!!`, { ...plain, button: 'left', x: 1, y: 1, ctrl: true }],
    [`${ESC}[M \u007f!`, { ...plain, button: 'left', x: 95, y: 1 }],
    // Bytes above 127: two that form a UTF-8 character are split back; a lone one is lost.
    [`${ESC}[M \u0145`, { ...plain, button: 'left', x: 165, y: 101 }],
    [`${ESC}[M \ufffd!`, undefined],
    // Not reports: other CSI, unfinished, too long, extra text.
    [`${ESC}[M !`, undefined],
    [`${ESC}[M !!x`, undefined],
    [`${ESC}[M !\r`, undefined],
    [`${ESC}[A`, undefined],
    [`${ESC}[<0;3`, undefined],
    [`${ESC}[<0;3;4`, undefined],
    [`${ESC}[<0;3;4Mx`, undefined],
    [`${ESC}[<0;123456;4M`, undefined],
    [`${ESC}[<0;3;4;5M`, undefined],
    [`[<0;3;4M`, undefined],
    ['', undefined],
  ];
  for (const [event, expected] of cases) {
    it(JSON.stringify(event), () => assert.deepEqual(parseMouseReport(event), expected));
  }
});

/** Feeds events in turn: the reports read, the events left to the key handlers, and each rest. */
function feed(events: readonly string[]) {
  let reader: MouseReader = idleMouseReader;
  const reports: MouseReport[] = [];
  const keys: string[] = [];
  for (const event of events) {
    const step = readMouseEvent(reader, event);
    reader = step.reader;
    if (step.report) reports.push(step.report);
    if (!step.consumed) keys.push(event);
    if (step.rest !== undefined) keys.push(step.rest);
  }
  return { reports, keys, reader };
}

describe('readMouseEvent', () => {
  it('consumes a whole report and leaves keys alone', () => {
    const read = feed(['a', `${ESC}[<65;7;9M`, `${ESC}[A`, 'b', `${ESC}[200~`, '\r']);
    assert.deepEqual(read.keys, ['a', `${ESC}[A`, 'b', `${ESC}[200~`, '\r']);
    assert.deepEqual(read.reports, [{ ...plain, button: 'wheelDown', x: 7, y: 9 }]);
    assert.deepEqual(read.reader, idleMouseReader);
  });

  // Ink hands a report split across two stdin chunks over as its start,
  // flushed as an unfinished escape, and the rest as text (with what was
  // typed after it in the same read).
  const report = `${ESC}[<64;120;33M`;
  for (const after of ['', 'ab', 'x y']) {
    it(`joins a report split at every offset, followed by ${JSON.stringify(after)}`, () => {
      for (let cut = 1; cut < report.length; cut++) {
        const read = feed([report.slice(0, cut), report.slice(cut) + after]);
        const where = `cut at ${cut}`;
        assert.deepEqual(read.reports, [{ ...plain, button: 'wheelUp', x: 120, y: 33 }], where);
        // A lone ESC is the Esc key until the next event says otherwise; an
        // ESC[ is left to the paste reader, which holds it too (see PasteGate).
        const esc = cut < 3 ? [report.slice(0, cut)] : [];
        assert.deepEqual(read.keys, after === '' ? esc : [...esc, after], where);
        assert.deepEqual(read.reader, idleMouseReader, where);
      }
    });
  }

  it('lets go of a start that no report follows', () => {
    const read = feed([`${ESC}[`, 'A', `${ESC}[<1;2`, 'q', ESC, 'z']);
    assert.deepEqual(read.keys, [`${ESC}[`, 'A', 'q', ESC, 'z']);
    assert.deepEqual(read.reports, []);
  });

  it('holds a start for the next event only: Esc, then "[<12" typed key by key, is text', () => {
    const read = feed([ESC, '[', '<', '1', '2']);
    assert.deepEqual(read.keys, [ESC, '[', '<', '1', '2']);
    assert.deepEqual(read.reader, idleMouseReader);
    // Only a whole event starts an SGR report: one built of keys does not.
    assert.deepEqual(feed([`${ESC}[`, '<1', '2;']).keys, [`${ESC}[`, '<1', '2;']);
    // A report in three pieces is beyond what is held (its rest is text).
    assert.deepEqual(feed([`${ESC}[<0;`, '3;', '2M']).keys, ['3;', '2M']);
  });

  // Ink hands ESC[M over as an event, and the three bytes after it as text,
  // with Backspace (byte 127, column or row 95) cut out as a key of its own.
  const x10 = `${ESC}[M \u007f%`;
  for (const after of ['', 'ab']) {
    it(`reads an X10 report split at every offset, followed by ${JSON.stringify(after)}`, () => {
      for (let cut = 1; cut < x10.length; cut++) {
        const head = x10.slice(0, cut);
        const tail = x10.slice(cut) + after;
        // The events Ink makes of the tail: text, DEL on its own, text.
        const events = [head, ...tail.split(/(\u007f)/).filter((part) => part !== '')];
        const read = feed(events);
        const where = `cut at ${cut}: ${JSON.stringify(events)}`;
        assert.deepEqual(read.reports, [{ ...plain, button: 'left', x: 95, y: 5 }], where);
        const esc = cut < 3 ? [head] : [];
        assert.deepEqual(read.keys, after === '' ? esc : [...esc, after], where);
        assert.deepEqual(read.reader, idleMouseReader, where);
      }
    });
  }

  it('consumes an X10 report whose coordinates were lost, and reads nothing', () => {
    const read = feed([`${ESC}[M`, ' \ufffd%ab']);
    assert.deepEqual(read.reports, []);
    assert.deepEqual(read.keys, ['ab']);
  });

  it('lets go of an ESC[M that a key or an escape sequence follows', () => {
    assert.deepEqual(feed([`${ESC}[M`, '\r']).keys, ['\r']);
    assert.deepEqual(feed([`${ESC}[M `, `${ESC}[A`]).keys, [`${ESC}[A`]);
  });

  it('holds no more than a report can be', () => {
    const long = `${ESC}[<${'1;'.repeat(20)}`;
    const step = readMouseEvent(idleMouseReader, long);
    assert.equal(step.consumed, false);
    assert.deepEqual(step.reader, idleMouseReader);
  });
});
