import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ECHO,
  explainNotChat,
  explainSocketError,
  explainTimeout,
  MAX_REPLY_QUOTE_CHARS,
  notChatLine,
  notChatReply,
} from '../../src/net/connect-errors.ts';

const bytes = (text: string) => Buffer.from(text, 'latin1');

describe('notChatReply: a chat server opens with a JSON object', () => {
  it('takes what starts with { as possibly chat', () => {
    assert.equal(notChatReply(bytes('{"type":"welcome"}\n')), undefined);
    assert.equal(notChatReply(bytes('{')), undefined);
    assert.equal(notChatReply(new Uint8Array()), undefined);
  });

  it('quotes the first line of anything else', () => {
    assert.equal(
      notChatReply(bytes('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n')),
      'HTTP/1.1 400 Bad Request',
    );
    assert.equal(notChatReply(bytes('220 mail ESMTP\n')), '220 mail ESMTP');
    assert.equal(notChatReply(bytes(' {"type":"welcome"}')), ' {"type":"welcome"}');
  });

  it('quotes only printable ASCII, and at most MAX_REPLY_QUOTE_CHARS', () => {
    assert.equal(notChatReply(Buffer.from([0x00, 0x1b, 0x5b, 0x32, 0x4a, 0xff])), '..[2J.');
    const quote = notChatReply(bytes('x'.repeat(500))) ?? '';
    assert.equal(quote.length, MAX_REPLY_QUOTE_CHARS);
    assert.ok(quote.endsWith('…'));
  });
});

describe('notChatLine: a line before welcome', () => {
  const hello = '{"type":"hello","v":1,"client":"chat-tui/0.1.0"}';
  it('is the hello sent back: an echo', () => {
    assert.equal(notChatLine(hello, hello), ECHO);
  });
  it('is a frame, of this version or of a newer one: may be chat', () => {
    assert.equal(notChatLine('{"type":"welcome","v":1}', hello), undefined);
    assert.equal(notChatLine('{"type":"something-new","x":[1]}', hello), undefined);
  });
  it('is not a JSON object with a string type: quoted', () => {
    assert.equal(notChatLine('220 smtp ready', hello), '220 smtp ready');
    assert.equal(notChatLine('{"jsonrpc":"2.0"}', hello), '{"jsonrpc":"2.0"}');
    assert.equal(notChatLine('{"type":7}', hello), '{"type":7}');
    assert.equal(notChatLine('[1,2]', hello), '[1,2]');
    assert.equal(notChatLine('null', hello), 'null');
    assert.equal(notChatLine('{"type":"x"', hello), '{"type":"x"');
  });
});

describe('a peer that is not a chat server is named as such, and not retried', () => {
  for (const code of [
    'ERR_SSL_WRONG_VERSION_NUMBER', // an HTTP, SSH or Redis server, a banner
    'ERR_SSL_PACKET_LENGTH_TOO_LONG',
    'ERR_SSL_UNEXPECTED_MESSAGE', // a TCP echo sends the TLS hello back
  ]) {
    it(`${code}: does not speak TLS`, () => {
      const { error, retry } = explainSocketError(code, 'ssl3_get_record:…', '127.0.0.1', 8444);
      assert.equal(error.code, 'NOT_A_CHAT_SERVER');
      assert.equal(retry, false);
      assert.equal(error.message, '127.0.0.1:8444 does not speak TLS: is it a chat server?');
      assert.match(error.hint ?? '', /--host and --port/);
    });
  }

  it('a TLS server that answers something else: quoted', () => {
    const { error, retry } = explainNotChat('localhost', 8443, 'HTTP/1.1 400 Bad Request');
    assert.equal(error.code, 'NOT_A_CHAT_SERVER');
    assert.equal(retry, false);
    assert.equal(
      error.message,
      'localhost:8443 speaks TLS but is not a chat server: it answered "HTTP/1.1 400 Bad Request"',
    );
  });

  it('a TLS server that echoes', () => {
    const { error, retry } = explainNotChat('localhost', 8443, ECHO);
    assert.equal(retry, false);
    assert.match(error.message, /speaks TLS but is not a chat server: it echoed the hello back$/);
  });
});

describe('explainTimeout says how far the attempt got; it is retried', () => {
  const cases: Array<[silentAfter: 'tcp' | 'tls' | undefined, says: RegExp]> = [
    [
      'tcp',
      /^h:1 took the connection but did not answer the TLS handshake in 10 s: is it a chat server\?$/,
    ],
    ['tls', /^h:1 speaks TLS but did not answer hello in 10 s: is it a chat server\?$/],
    [undefined, /^h:1 did not answer in time$/],
  ];
  for (const [silentAfter, says] of cases) {
    it(`silent after ${silentAfter ?? 'nothing'}`, () => {
      const { error, retry } = explainTimeout('h', 1, silentAfter, 10_000);
      assert.equal(error.code, 'CONNECT_FAILED');
      assert.equal(retry, true);
      assert.match(error.message, says);
    });
  }
});
