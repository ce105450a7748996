import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ChatError, type ChatErrorCode } from '../../src/errors.ts';
import {
  type ConnectFailure,
  explainEarlyClose,
  explainHandshakeRefusal,
  explainServerClose,
  explainSocketError,
} from '../../src/net/connect-errors.ts';

/** What a caller branches on: the code and whether to try again; plus one-line checks. */
function outcome(failure: ConnectFailure): { code: ChatErrorCode; retry: boolean } {
  assert.ok(failure.error instanceof ChatError);
  assert.ok(!failure.error.message.includes('\n'), 'the message is one line');
  assert.ok(failure.error.hint && !failure.error.hint.includes('\n'), 'a one-line hint');
  return { code: failure.error.code, retry: failure.retry };
}

describe('explainSocketError: the server certificate does not name the host', () => {
  const advice: Array<[host: string, fix: string]> = [
    ['chat.example.com', 'chat certs server --host chat.example.com'],
    ['192.0.2.2', 'chat certs server --ip 192.0.2.2'],
    ['2001:db8::2', 'chat certs server --ip 2001:db8::2'],
  ];
  for (const [host, fix] of advice) {
    it(`says \`${fix}\` for ${host}`, () => {
      const { error } = explainSocketError('ERR_TLS_CERT_ALTNAME_INVALID', 'x', host, 8443);
      assert.match(error.message, new RegExp(`does not name ${host.replaceAll('.', '\\.')}`));
      assert.ok(error.hint?.includes(`\`${fix}\``), error.hint);
    });
  }
});

describe('explainSocketError', () => {
  const cases: Array<[nodeCode: string | undefined, code: ChatErrorCode, retry: boolean]> = [
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'SERVER_IDENTITY', false],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SERVER_IDENTITY', false],
    ['SELF_SIGNED_CERT_IN_CHAIN', 'SERVER_IDENTITY', false],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'SERVER_IDENTITY', false],
    ['UNABLE_TO_GET_ISSUER_CERT', 'SERVER_IDENTITY', false],
    ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'SERVER_IDENTITY', false],
    ['CERT_SIGNATURE_FAILURE', 'SERVER_IDENTITY', false],
    ['CERT_UNTRUSTED', 'SERVER_IDENTITY', false],
    ['CERT_HAS_EXPIRED', 'SERVER_IDENTITY', false],
    ['ECONNREFUSED', 'CONNECT_FAILED', true],
    ['ENOTFOUND', 'CONNECT_FAILED', true],
    ['EAI_AGAIN', 'CONNECT_FAILED', true],
    ['ETIMEDOUT', 'CONNECT_FAILED', true],
    ['CONNECT_TIMEOUT', 'CONNECT_FAILED', true],
    ['ECONNRESET', 'CONNECT_FAILED', true],
    ['EPIPE', 'CONNECT_FAILED', true],
    ['EHOSTUNREACH', 'CONNECT_FAILED', true],
    [undefined, 'CONNECT_FAILED', true],
    // TLS alerts about the client's own certificate (codes seen from node 20 against openssl s_server).
    ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'CERT_REFUSED', false],
    ['ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED', 'CERT_REFUSED', false],
    ['ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED', 'CERT_REFUSED', false],
    ['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'CERT_REFUSED', false],
    ['ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR', 'CERT_REFUSED', false],
    ['ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE', 'CERT_REFUSED', false],
    ['ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE', 'CERT_REFUSED', false],
    ['ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN', 'CERT_REFUSED', false],
    ['ERR_SSL_TLSV1_ALERT_ACCESS_DENIED', 'CERT_REFUSED', false],
    ['ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'CERT_REFUSED', false],
  ];
  for (const [nodeCode, code, retry] of cases) {
    it(`${nodeCode ?? 'no code'} → ${code}, ${retry ? 'retry' : 'final'}`, () => {
      assert.deepEqual(outcome(explainSocketError(nodeCode, 'boom', 'chat.example', 7443)), {
        code,
        retry,
      });
    });
  }
});

describe('explainSocketError on TLS alerts', () => {
  const cases: Array<[nodeCode: string, says: RegExp]> = [
    [
      'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
      /refused your certificate: it requires one and none was sent/,
    ],
    ['ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED', /refused your certificate: it was revoked/],
    ['ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED', /refused your certificate: it has expired/],
    [
      'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
      /refused your certificate: it was not issued by the server's CA/,
    ],
  ];
  for (const [nodeCode, says] of cases) {
    it(`${nodeCode} names the server and the reason`, () => {
      const { error } = explainSocketError(nodeCode, 'alert', 'chat.example', 7443);
      assert.match(error.message, /^the server at chat\.example:7443 /);
      assert.match(error.message, says);
    });
  }
});

describe('explainHandshakeRefusal', () => {
  const cases: Array<
    [
      name: string,
      problem: Parameters<typeof explainHandshakeRefusal>[2],
      final: boolean,
      retry: boolean,
      says: RegExp,
    ]
  > = [
    [
      'expired',
      { kind: 'expired', date: '2024-05-01' },
      false,
      false,
      /: it expired on 2024-05-01$/,
    ],
    [
      'not yet valid',
      { kind: 'not_yet_valid', date: '2031-01-01' },
      false,
      false,
      /: it is not valid before 2031-01-01$/,
    ],
    ['foreign', { kind: 'foreign' }, false, false, /: it was not issued by your team's CA$/],
    // Nothing wrong that the client can see: the first may be a server restarting mid-handshake.
    [
      'no reason, first time',
      undefined,
      false,
      true,
      /during the TLS handshake: most likely it was revoked$/,
    ],
    [
      'no reason, again',
      undefined,
      true,
      false,
      /during the TLS handshake: most likely it was revoked$/,
    ],
  ];
  for (const [name, problem, final, retry, says] of cases) {
    it(`${name} → CERT_REFUSED, ${retry ? 'retry' : 'final'}`, () => {
      const failure = explainHandshakeRefusal('chat.example', 7443, problem, final);
      assert.deepEqual(outcome(failure), { code: 'CERT_REFUSED', retry });
      assert.match(
        failure.error.message,
        /^the server at chat\.example:7443 refused your certificate/,
      );
      assert.match(failure.error.message, says);
    });
  }
});

describe('explainEarlyClose', () => {
  it('suspects the certificate but retries', () => {
    assert.deepEqual(outcome(explainEarlyClose('chat.example', 7443)), {
      code: 'CERT_REFUSED',
      retry: true,
    });
  });
});

describe('explainServerClose', () => {
  const cases: Array<[serverCode: string, code: ChatErrorCode, retry: boolean]> = [
    ['cert_rejected', 'CERT_REFUSED', false],
    ['version_unsupported', 'SERVER_ERROR', false],
    ['flood', 'SERVER_ERROR', false],
    ['too_many_devices', 'SERVER_ERROR', false],
    ['kicked', 'REMOVED', false],
    ['server_banned', 'REMOVED', false],
    ['reconnect_too_fast', 'SERVER_ERROR', true],
    ['store_failed', 'SERVER_ERROR', true],
    ['server_shutdown', 'SERVER_ERROR', true],
    ['server_full', 'SERVER_ERROR', true],
    ['too_many_connections', 'SERVER_ERROR', true],
    ['hello_timeout', 'SERVER_ERROR', true],
    ['idle_timeout', 'SERVER_ERROR', true],
    ['line_too_long', 'SERVER_ERROR', true],
    ['too_many_errors', 'SERVER_ERROR', true],
    ['auth_failed', 'AUTH_FAILED', false],
    ['auth_locked', 'AUTH_LOCKED', false],
    ['auth_timeout', 'SERVER_ERROR', true],
    ['auth_required', 'SERVER_ERROR', true],
    ['something_new', 'SERVER_ERROR', true],
  ];
  for (const [serverCode, code, retry] of cases) {
    it(`${serverCode} → ${code}, ${retry ? 'retry' : 'final'}`, () => {
      assert.deepEqual(outcome(explainServerClose(serverCode, 'the server said so')), {
        code,
        retry,
      });
    });
  }
});
