import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChatError } from '../../src/errors.ts';
import {
  formatServerList,
  MAX_SERVERS,
  parseServerList,
  roundOrder,
} from '../../src/net/server-list.ts';

/** `--server a:8443,b:8443`, CHAT_SERVER and a profile's list: the nodes of one cluster. */
describe('server lists', () => {
  it('reads a comma-separated list, each entry as a single address', () => {
    assert.deepEqual(parseServerList('A.example:9000, b.example ,[::1]:7,192.0.2.7', 8443), [
      { host: 'a.example', port: 9000 },
      { host: 'b.example', port: 8443 },
      { host: '::1', port: 7 },
      { host: '192.0.2.7', port: 8443 },
    ]);
  });

  it('reads one address as a list of one, and repeated flags as one list', () => {
    assert.deepEqual(parseServerList('chat.example.com', 8443), [
      { host: 'chat.example.com', port: 8443 },
    ]);
    assert.deepEqual(parseServerList(['a.example:1,b.example:2', 'c.example:3'], 8443), [
      { host: 'a.example', port: 1 },
      { host: 'b.example', port: 2 },
      { host: 'c.example', port: 3 },
    ]);
  });

  it('keeps a repeated address once, in its first place (the default port counts)', () => {
    assert.deepEqual(parseServerList('b.example,a.example:8443,B.example:8443,a.example', 8443), [
      { host: 'b.example', port: 8443 },
      { host: 'a.example', port: 8443 },
    ]);
    assert.equal(parseServerList('a.example:1,a.example:2', 8443).length, 2);
  });

  it('skips empty entries, and refuses a list with none', () => {
    assert.equal(parseServerList('a.example,,b.example,', 8443).length, 2);
    for (const text of ['', ',', ' , ']) {
      assert.throws(
        () => parseServerList(text, 8443),
        (e: unknown) =>
          e instanceof ChatError && e.code === 'USAGE' && /names no server/.test(e.message),
        JSON.stringify(text),
      );
    }
  });

  it('refuses a bad entry in one line that names it and the flag', () => {
    assert.throws(
      () => parseServerList('a.example:8443,b.example:99999,c.example', 8443, 'CHAT_SERVER'),
      (e: unknown) =>
        e instanceof ChatError &&
        e.code === 'USAGE' &&
        e.message ===
          'invalid CHAT_SERVER "b.example:99999": the port must be a number from 1 to 65535' &&
        !e.message.includes('\n'),
    );
    assert.throws(
      () => parseServerList('a.example,0.0.0.0', 8443),
      (e: unknown) => e instanceof ChatError && e.message.startsWith('invalid --server "0.0.0.0"'),
    );
  });

  it(`takes at most ${MAX_SERVERS} addresses, counted after duplicates go`, () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `n${i}.example`).join(',');
    assert.equal(parseServerList(names(MAX_SERVERS), 8443).length, MAX_SERVERS);
    assert.equal(parseServerList(`${names(MAX_SERVERS)},n0.example`, 8443).length, MAX_SERVERS);
    assert.throws(
      () => parseServerList(names(MAX_SERVERS + 1), 8443),
      (e: unknown) =>
        e instanceof ChatError && e.code === 'USAGE' && /more than 16/.test(e.message),
    );
  });

  it('formats a list as it is typed', () => {
    assert.equal(
      formatServerList(parseServerList('a.example:1,[2001:db8::1]:2', 8443)),
      'a.example:1,[2001:db8::1]:2',
    );
  });
});

/** The order of one round of attempts, from an injected random source. */
describe('round order', () => {
  const list = ['a', 'b', 'c', 'd'];
  const fixed = (...values: number[]) => {
    let i = 0;
    return () => values[i++ % values.length] ?? 0;
  };

  it('is a Fisher-Yates shuffle of the random numbers drawn', () => {
    // Draws for i = 3, 2, 1: 0 swaps d with a; 0.99 keeps c; 0.5 swaps b with itself.
    assert.deepEqual(roundOrder(list, fixed(0, 0.99, 0.5)), ['d', 'b', 'c', 'a']);
    // The largest draws keep the order.
    assert.deepEqual(roundOrder(list, fixed(0.999)), list);
    // The same draws give the same order: tests are deterministic.
    assert.deepEqual(
      roundOrder(list, fixed(0.3, 0.6, 0.1)),
      roundOrder(list, fixed(0.3, 0.6, 0.1)),
    );
  });

  it('is always a permutation, leaves its input alone, and survives a bad random', () => {
    const input = Object.freeze([...list]);
    for (const bad of [-1, 1, 2, Number.NaN, 0.5]) {
      const order = roundOrder(input, () => bad);
      assert.deepEqual([...order].sort(), [...list], String(bad));
    }
    assert.deepEqual(roundOrder([], Math.random), []);
    assert.deepEqual(
      roundOrder(['x'], () => 0.7),
      ['x'],
    );
  });

  it('puts every address first about as often (a fresh shuffle per round spreads clients)', () => {
    let seed = 42;
    // A small deterministic generator (mulberry32).
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const first = new Map<string, number>();
    for (let round = 0; round < 4000; round++) {
      const head = roundOrder(list, random)[0] ?? '';
      first.set(head, (first.get(head) ?? 0) + 1);
    }
    for (const name of list) {
      const count = first.get(name) ?? 0;
      assert.ok(count > 850 && count < 1150, `${name} first ${count} times of 4000`);
    }
  });
});
