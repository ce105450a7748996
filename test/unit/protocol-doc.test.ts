import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseClientFrame, parseServerFrame } from '../../src/net/protocol/codec.ts';
import { ERROR_CODES, FATAL_CODES } from '../../src/net/protocol/error-codes.ts';
import { clientFrameSchemas, serverFrameSchemas } from '../../src/net/protocol/frames.ts';

// docs/PROTOCOL.md must match the code: its examples are parsed with the real
// codec and its error table is compared with error-codes.ts.
const doc = readFileSync(new URL('../../docs/PROTOCOL.md', import.meta.url), 'utf8');

interface ExampleLine {
  /** 1-based line number in PROTOCOL.md, for failure messages. */
  lineNo: number;
  direction: '>' | '<';
  json: string;
}

/** Every non-empty line of every ```session block; a line without `> ` or `< ` fails. */
function sessionLines(markdown: string): ExampleLine[] {
  const lines: ExampleLine[] = [];
  let inSession = false;
  let inOtherFence = false;
  markdown.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    const lineNo = index + 1;
    if (!inSession && !inOtherFence && line.startsWith('```')) {
      if (line.slice(3).trim() === 'session') inSession = true;
      else inOtherFence = true;
      return;
    }
    if (line.startsWith('```')) {
      inSession = false;
      inOtherFence = false;
      return;
    }
    if (!inSession || line.trim() === '') return;
    const match = /^([<>]) (.*)$/.exec(line);
    assert.ok(match, `PROTOCOL.md:${lineNo}: a session line must start with "> " or "< "`);
    lines.push({ lineNo, direction: match[1] as '>' | '<', json: match[2] as string });
  });
  assert.ok(!inSession && !inOtherFence, 'PROTOCOL.md: a code block is not closed');
  return lines;
}

/** The rows of the table under "## 8. Error codes": code and fatal column. */
function errorTable(markdown: string): Map<string, string> {
  const section = markdown.split(/^## /m).find((s) => /^\d+\. Error codes\b/.test(s));
  assert.ok(section, 'PROTOCOL.md has no "Error codes" section');
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const code = /^`([a-z0-9_]+)`$/.exec(cells[1] ?? '')?.[1];
    if (!line.startsWith('|') || code === undefined) continue;
    assert.ok(!rows.has(code), `error table lists ${code} twice`);
    rows.set(code, cells[2] ?? '');
  }
  return rows;
}

const examples = sessionLines(doc);

describe('docs/PROTOCOL.md', () => {
  it('has session examples in both directions', () => {
    assert.ok(examples.some((e) => e.direction === '>'));
    assert.ok(examples.some((e) => e.direction === '<'));
  });

  it('has only valid frames in its session blocks', () => {
    for (const { lineNo, direction, json } of examples) {
      const parsed = direction === '>' ? parseClientFrame(json) : parseServerFrame(json);
      assert.ok(
        parsed.ok,
        `PROTOCOL.md:${lineNo}: ${parsed.ok ? '' : `${parsed.code}: ${parsed.message}`}`,
      );
    }
  });

  it('shows every client and server frame type at least once', () => {
    const seen = { '>': new Set<string>(), '<': new Set<string>() };
    for (const { direction, json } of examples) {
      const parsed = direction === '>' ? parseClientFrame(json) : parseServerFrame(json);
      if (parsed.ok) seen[direction].add(parsed.frame.type);
    }
    for (const type of Object.keys(clientFrameSchemas)) {
      assert.ok(seen['>'].has(type), `no "> " example of the client frame "${type}"`);
    }
    for (const type of Object.keys(serverFrameSchemas)) {
      assert.ok(seen['<'].has(type), `no "< " example of the server frame "${type}"`);
    }
  });

  it('uses real error codes in its error examples, fatal exactly when the code is', () => {
    for (const { lineNo, direction, json } of examples) {
      const parsed = direction === '<' ? parseServerFrame(json) : undefined;
      if (!parsed?.ok || parsed.frame.type !== 'error') continue;
      const { code, fatal } = parsed.frame;
      assert.ok(Object.hasOwn(ERROR_CODES, code), `PROTOCOL.md:${lineNo}: unknown code ${code}`);
      assert.equal(
        fatal === true,
        FATAL_CODES.has(code as keyof typeof ERROR_CODES),
        `PROTOCOL.md:${lineNo}: "fatal" does not match FATAL_CODES for ${code}`,
      );
    }
  });

  it('lists every error code in its error table, and no other', () => {
    const table = errorTable(doc);
    assert.deepEqual([...table.keys()].sort(), Object.keys(ERROR_CODES).sort());
  });

  it('marks exactly the fatal codes as fatal in its error table', () => {
    for (const [code, fatal] of errorTable(doc)) {
      const expected = FATAL_CODES.has(code as keyof typeof ERROR_CODES) ? 'yes' : 'no';
      assert.equal(fatal, expected, `error table: ${code} should say fatal "${expected}"`);
    }
  });
});
