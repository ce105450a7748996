import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChatError } from '../../src/errors.ts';
import {
  formatServerAddress,
  isLoopback,
  parseServerAddress,
} from '../../src/net/server-address.ts';

/** `chat invite --server HOST[:PORT]`: the addresses a teammate's client dials. */
describe('server addresses', () => {
  it('reads names, IPv4 and IPv6, with or without a port', () => {
    const cases: Array<[string, string, number]> = [
      ['chat.example.com', 'chat.example.com', 8443],
      ['Chat.Example.COM:9000', 'chat.example.com', 9000],
      ['127.0.0.1', '127.0.0.1', 8443],
      ['192.0.2.7:443', '192.0.2.7', 443],
      ['::1', '::1', 8443],
      ['[::1]', '::1', 8443],
      ['[2001:db8::1]:65535', '2001:db8::1', 65535],
      ['localhost:1', 'localhost', 1],
    ];
    for (const [text, host, port] of cases)
      assert.deepEqual(parseServerAddress(text, 8443), { host, port }, text);
  });

  it('refuses what a client cannot dial, naming the flag', () => {
    for (const text of [
      '',
      ':8443',
      'chat.example.com:',
      'chat.example.com:0',
      'chat.example.com:65536',
      'chat.example.com:abc',
      'chat.example.com:80:80x',
      '*.example.com',
      'bad host',
      '[chat.example.com]:8443',
      'fe80::1%eth0',
      '[fe80::1%eth0]:8443',
      '0.0.0.0',
      '0.0.0.0:8443',
      '::',
      '[::]:8443',
      '0:0::0',
    ]) {
      assert.throws(
        () => parseServerAddress(text, 8443),
        (error: unknown) =>
          error instanceof ChatError &&
          error.code === 'USAGE' &&
          error.message.startsWith(`invalid --server ${JSON.stringify(text)}`),
        text,
      );
    }
  });

  it('knows the addresses only this machine can dial', () => {
    for (const host of ['localhost', 'a.localhost', '127.0.0.1', '127.1.2.3', '::1', '0:0::1'])
      assert.equal(isLoopback(host), true, host);
    for (const host of ['chat.example.com', '192.0.2.7', '2001:db8::1', 'localhost.example'])
      assert.equal(isLoopback(host), false, host);
  });

  it('writes IPv6 addresses in brackets', () => {
    assert.equal(formatServerAddress({ host: '::1', port: 8443 }), '[::1]:8443');
    assert.equal(formatServerAddress({ host: '127.0.0.1', port: 1 }), '127.0.0.1:1');
    assert.equal(formatServerAddress({ host: 'a.example', port: 2 }), 'a.example:2');
  });
});
