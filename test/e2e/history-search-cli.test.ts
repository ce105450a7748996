import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { StoredMessage } from '../../src/net/protocol/frames.ts';
import { DiskHistory } from '../../src/server/history/disk-history.ts';
import {
  assertOneLineError,
  runChat,
  type Serving,
  startServe,
  stop,
  teamMadeByCli,
} from '../helpers/cli.ts';

/** Kept before the server starts: what it finds was there before it. */
const KEPT: Array<[string, StoredMessage]> = [
  ['#general', msg(1, 1, 'ada', 'banana bread in the kitchen')],
  ['#general', msg(2, 2, 'bea', 'release at noon')],
  ['#secret', msg(1, 3, 'cy', 'banana plan', '#secret')],
  ['dm:ada:bea', dm(1, 4, 'bea', 'ada', 'Banana smoothie?')],
  ['dm:bea:cy', dm(1, 5, 'bea', 'cy', 'banana between us')],
];

function msg(id: number, minute: number, from: string, text: string, room = '#general') {
  return { type: 'msg', id, ts: Date.UTC(2026, 10, 20, 9, minute), room, from, text } as const;
}

function dm(id: number, minute: number, from: string, to: string, text: string) {
  return { type: 'dm', id, ts: Date.UTC(2026, 10, 20, 9, minute), from, to, text } as const;
}

describe('chat history search, as a script runs it', () => {
  let dir: { path: string; cleanup: () => Promise<void> };
  let server: Serving;
  const search = (...args: string[]) =>
    runChat(['history', 'search', '--port', String(server.port), ...args], { cwd: dir.path });

  before(async () => {
    dir = await teamMadeByCli(['ada', 'bea', 'cy']);
    const { store } = await DiskHistory.open({
      dir: join(dir.path, 'data', 'history'),
      key: { kind: 'key-file', path: join(dir.path, 'certs', 'history.key') },
      limits: { cache: 10, keepDays: 0, keepMessages: 0 },
    });
    for (const [conversation, message] of KEPT) await store.append(conversation, message);
    await store.close();
    server = await startServe([], dir.path);
  });
  after(async () => {
    await stop(server.child);
    await dir.cleanup();
  });

  it('--json: the msg and dm frames, one a line, newest first, only of her conversations', async () => {
    const result = await search('banana', '--user', 'ada', '--json');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, '');
    const frames = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as StoredMessage);
    assert.deepEqual(frames, [KEPT[3]?.[1], KEPT[0]?.[1]]);
  });

  it('text: one line a match, led by the conversation and the date', async () => {
    const result = await search('BANANA', '--user', 'ada');
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trimEnd().split('\n');
    assert.equal(lines.length, 2, result.stdout);
    assert.match(
      lines[0] ?? '',
      /^\[@bea\] \[2026-11-\d\d \d\d:\d\d\] <bea → ada> Banana smoothie\?$/,
    );
    assert.match(lines[1] ?? '', /^\[#general\] \[2026-11-\d\d \d\d:\d\d\] <ada> banana bread/);
  });

  it('--room and --limit narrow it; more is said on stderr', async () => {
    const dmOnly = await search('banana', '--user', 'ada', '--room', '@bea', '--json');
    assert.equal(dmOnly.code, 0, dmOnly.stderr);
    assert.deepEqual(JSON.parse(dmOnly.stdout), KEPT[3]?.[1]);
    const newest = await search('banana', '--user', 'ada', '--limit', '1', '--json');
    assert.equal(newest.code, 0, newest.stderr);
    assert.deepEqual(JSON.parse(newest.stdout), KEPT[3]?.[1]);
    assert.match(newest.stderr, /^more may match/);
  });

  it('no match is not a failure: nothing on stdout, "no match" on stderr in text mode', async () => {
    const json = await search('quokka', '--user', 'ada', '--json');
    assert.deepEqual([json.code, json.stdout, json.stderr], [0, '', '']);
    const text = await search('quokka', '--user', 'ada');
    assert.deepEqual([text.code, text.stdout, text.stderr], [0, '', 'no match\n']);
  });

  it('a room she is not in is refused in one line, and nothing leaks', async () => {
    const refused = await search('banana', '--user', 'ada', '--room', 'secret');
    assertOneLineError(refused, 1, /you are not in #secret.*leave out --room/);
    assert.equal(refused.stdout, '');
    const bea = await search('between', '--user', 'bea', '--json');
    assert.deepEqual(JSON.parse(bea.stdout), KEPT[4]?.[1], 'bea finds her DM with cy');
    const nothing = await search('', '--user', 'ada');
    assertOneLineError(nothing, 2, /nothing to search for/);
  });
});
