import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { joinOutcome, type TriedServer } from '../../src/commands/join-outcome.ts';
import { ChatError, type ChatErrorCode } from '../../src/errors.ts';
import { explainHandshakeRefusal, explainSocketError } from '../../src/net/connect-errors.ts';

/** What `chat join` says after installing, from what its test connection(s) found. */

const A = { host: '127.0.0.1', port: 8443 };
const B = { host: 'chat.example.com', port: 9443 };
const failed = (server: typeof A, error: ChatError): TriedServer => ({
  server,
  result: { ok: false, error },
});
const refusedNow = (code: ChatErrorCode, message: string, hint?: string) =>
  new ChatError(code, message, hint === undefined ? {} : { hint });
const nothingListening = explainSocketError('ECONNREFUSED', '', A.host, A.port).error;

describe('joinOutcome', () => {
  const cases: Array<
    [string, TriedServer[], { line: RegExp } | { code: string; message: RegExp }]
  > = [
    [
      'welcomed',
      [{ server: A, result: { ok: true, user: 'carol' } }],
      { line: /^connected to 127\.0\.0\.1:8443 as carol$/ },
    ],
    [
      'welcomed by the second address, the first down',
      [failed(A, nothingListening), { server: B, result: { ok: true, user: 'carol' } }],
      { line: /^connected to chat\.example\.com:9443 as carol$/ },
    ],
    [
      'nothing listening',
      [failed(A, nothingListening)],
      {
        line: /^installed; the server at 127\.0\.0\.1:8443 is not reachable now \(nothing is listening on 127\.0\.0\.1:8443\): `chat tui` connects once it is$/,
      },
    ],
    [
      'no address answers',
      [
        failed(A, nothingListening),
        failed(B, explainSocketError('ENOTFOUND', '', B.host, B.port).error),
      ],
      {
        line: /^installed; none of the team's servers is reachable now \(127\.0\.0\.1:8443: nothing is listening on 127\.0\.0\.1:8443; chat\.example\.com:9443: cannot resolve chat\.example\.com\): `chat tui` connects once one is$/,
      },
    ],
    [
      'a password is asked for: the certificate was taken',
      [failed(A, refusedNow('PASSWORD_REQUIRED', "the server asks for carol's password"))],
      {
        line: /^installed; the server at 127\.0\.0\.1:8443 took the certificate and asks for carol's password/,
      },
    ],
    [
      'a revoked certificate, with an alert',
      [
        failed(
          A,
          explainSocketError('ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED', '', A.host, A.port).error,
        ),
      ],
      {
        code: 'CERT_REFUSED',
        message:
          /^installed, but the server at 127\.0\.0\.1:8443 refused the certificate \(it was revoked\)$/,
      },
    ],
    [
      'a certificate refused without a word (TLS 1.3)',
      [failed(A, explainHandshakeRefusal(A.host, A.port, undefined, true).error)],
      {
        code: 'CERT_REFUSED',
        message:
          /refused the certificate \(during the TLS handshake: most likely it was revoked\)$/,
      },
    ],
    [
      'a server the team CA did not sign',
      [failed(A, explainSocketError('UNABLE_TO_VERIFY_LEAF_SIGNATURE', '', A.host, A.port).error)],
      {
        code: 'SERVER_IDENTITY',
        message:
          /^installed, but the test connection to 127\.0\.0\.1:8443 failed: .*CA did not sign/,
      },
    ],
    [
      'no chat server at that address',
      [failed(A, explainSocketError('ERR_SSL_WRONG_VERSION_NUMBER', '', A.host, A.port).error)],
      { code: 'NOT_A_CHAT_SERVER', message: /does not speak TLS/ },
    ],
  ];

  for (const [what, tried, expected] of cases) {
    it(what, () => {
      const outcome = joinOutcome('carol', tried);
      if ('line' in expected) {
        assert.ok('line' in outcome, JSON.stringify(outcome));
        assert.match(outcome.line, expected.line);
      } else {
        assert.ok('error' in outcome, JSON.stringify(outcome));
        assert.equal(outcome.error.code, expected.code);
        assert.match(outcome.error.message, expected.message);
        assert.ok(outcome.error.hint, 'a refusal says what to do');
        assert.doesNotMatch(outcome.error.hint ?? '', /^check --host/, 'join has no such flags');
      }
    });
  }
});
