import { ChatError, type ChatErrorCode } from '../errors.ts';
import { certsServerFlag } from './host-name.ts';
import type { OwnCertificateProblem } from './own-certificate.ts';
import type { ErrorCode } from './protocol/error-codes.ts';

/** A failure of one connection attempt, explained, and whether trying again can help. */
export interface ConnectFailure {
  error: ChatError;
  retry: boolean;
}

// Certificate checks of the server that fail the same way every time.
const UNTRUSTED_SERVER = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
]);

// What OpenSSL says when the bytes that answer the client's TLS hello are
// not TLS: an HTTP, SSH or Redis server, a banner, the hello echoed back.
const NOT_TLS = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_UNEXPECTED_MESSAGE',
]);

/** The fix for a peer that is not a chat server. */
const NOT_CHAT_HINT = 'check --host and --port: they must name a `chat serve`';

/** The fix for a client certificate the server refuses. */
const NEW_CERTIFICATE =
  'ask your admin for a new certificate: they run `chat invite NAME --server HOST --force`, you `chat join FILE --force`';
const TEAM_CERTIFICATE =
  "use the certificate from your team's invite (`chat join FILE`), and check --host and --port";

// TLS alerts about the client's certificate, by node's error code. The same
// certificate fails the same way every time: none is retried.
const CLIENT_CERT_ALERTS: Readonly<Record<string, { why: string; hint: string }>> = {
  ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED: {
    why: 'it requires one and none was sent',
    hint: 'point --certs (and --user) at your certificate, or ask your admin for an invite (`chat join FILE`)',
  },
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED: { why: 'it was revoked', hint: NEW_CERTIFICATE },
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: { why: 'it has expired', hint: NEW_CERTIFICATE },
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: {
    why: "it was not issued by the server's CA",
    hint: TEAM_CERTIFICATE,
  },
  ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR: {
    why: "its signature does not check out (another team's CA, or a key that does not match)",
    hint: TEAM_CERTIFICATE,
  },
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: { why: 'it is not acceptable', hint: NEW_CERTIFICATE },
  ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE: {
    why: 'it is of a kind the server does not take',
    hint: NEW_CERTIFICATE,
  },
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: { why: 'it is not acceptable', hint: NEW_CERTIFICATE },
  ERR_SSL_TLSV1_ALERT_ACCESS_DENIED: { why: 'access denied', hint: NEW_CERTIFICATE },
};

/**
 * Explains why a connection to `host:port` could not be made or kept, in one
 * line with the fix. Pure: takes node's error code and message.
 */
export function explainSocketError(
  code: string | undefined,
  message: string,
  host: string,
  port: number,
): ConnectFailure {
  const where = `${host}:${port}`;
  if (code && NOT_TLS.has(code)) {
    return fatal(
      'NOT_A_CHAT_SERVER',
      `${where} does not speak TLS: is it a chat server?`,
      NOT_CHAT_HINT,
    );
  }
  const alert = code === undefined ? undefined : CLIENT_CERT_ALERTS[code];
  if (alert) {
    return fatal(
      'CERT_REFUSED',
      `the server at ${where} refused your certificate: ${alert.why}`,
      alert.hint,
    );
  }
  if (code === 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE') {
    return fatal(
      'CERT_REFUSED',
      `the server at ${where} refused the TLS handshake: no client certificate sent, or no TLS version and cipher in common`,
      'check --certs and --user, and that client and server run the same chat',
    );
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const flag = certsServerFlag(host);
    return fatal(
      'SERVER_IDENTITY',
      `the server's certificate does not name ${host}, so it cannot be trusted`,
      `on the server run \`chat certs server ${flag} ${host}\`, restart chat serve, or connect with a name it has`,
    );
  }
  if (code && UNTRUSTED_SERVER.has(code)) {
    return fatal(
      'SERVER_IDENTITY',
      `the server at ${where} has a certificate that your team's CA did not sign`,
      'check --host and --port, and that your certs directory holds the team ca.crt (ask your admin for an invite: `chat join FILE`)',
    );
  }
  if (code === 'CERT_HAS_EXPIRED') {
    return fatal(
      'SERVER_IDENTITY',
      "the server's certificate has expired",
      'ask the admin to run `chat certs server`',
    );
  }
  if (code === 'ECONNREFUSED') {
    return retry(
      'CONNECT_FAILED',
      `nothing is listening on ${where}`,
      'start the server with `chat serve`, or check --host and --port',
    );
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return retry('CONNECT_FAILED', `cannot resolve ${host}`, 'check --host');
  }
  if (code === 'ETIMEDOUT' || code === 'CONNECT_TIMEOUT') {
    return retry(
      'CONNECT_FAILED',
      `${where} did not answer in time`,
      'check --host, --port and the network',
    );
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return retry(
      'CONNECT_FAILED',
      `the connection to ${where} was reset`,
      'it is retried; if it keeps happening, check the server log',
    );
  }
  return retry(
    'CONNECT_FAILED',
    `cannot connect to ${where}: ${message}`,
    'check --host and --port and the server log',
  );
}

/**
 * Explains a server that closed the connection right after the TLS
 * handshake without a word: a node server refuses a client certificate that
 * fails its checks that way, with no alert to say why. `problem` is what the
 * client found wrong with its own certificate; without one the likeliest
 * cause is a revocation. `final` once it happened again after a retry: the
 * first may have been a server restarting mid-handshake.
 */
export function explainHandshakeRefusal(
  host: string,
  port: number,
  problem: OwnCertificateProblem | undefined,
  final: boolean,
): ConnectFailure {
  const refused = `the server at ${host}:${port} refused your certificate`;
  if (problem?.kind === 'expired') {
    return fatal('CERT_REFUSED', `${refused}: it expired on ${problem.date}`, NEW_CERTIFICATE);
  }
  if (problem?.kind === 'not_yet_valid') {
    return fatal(
      'CERT_REFUSED',
      `${refused}: it is not valid before ${problem.date}`,
      "check this machine's clock, or ask your admin for a new certificate",
    );
  }
  if (problem?.kind === 'foreign') {
    return fatal(
      'CERT_REFUSED',
      `${refused}: it was not issued by your team's CA`,
      TEAM_CERTIFICATE,
    );
  }
  const error = new ChatError(
    'CERT_REFUSED',
    `${refused} during the TLS handshake: most likely it was revoked`,
    { hint: NEW_CERTIFICATE },
  );
  return { error, retry: !final };
}

/** Longest quote of a non-chat server's first words, in characters. */
export const MAX_REPLY_QUOTE_CHARS = 40;

/**
 * What to quote of the first bytes a server sent after the TLS handshake,
 * when they show it is no chat server: chat's frames are JSON objects, so
 * its first byte is always `{`. Undefined when it may be chat. The quote is
 * the first line, printable ASCII only, cut to MAX_REPLY_QUOTE_CHARS.
 */
export function notChatReply(first: Uint8Array): string | undefined {
  if (first.length === 0 || first[0] === 0x7b) return undefined;
  return quoteReply(Buffer.from(first).toString('latin1').split(/\r?\n/)[0] ?? '');
}

// The start of what a server said, safe to print: printable ASCII, cut.
function quoteReply(line: string): string {
  const printable = line.replace(/[^\x20-\x7e]/g, '.');
  return printable.length > MAX_REPLY_QUOTE_CHARS
    ? `${printable.slice(0, MAX_REPLY_QUOTE_CHARS - 1)}…`
    : printable;
}

/** What explainNotChat is given for a server that sent the client's hello back. */
export const ECHO: unique symbol = Symbol('echo');

/**
 * Whether a line a server sent before `welcome` shows it is no chat server:
 * ECHO when it is the client's own `hello` line sent back, a quote of it
 * (as notChatReply's) when it is not a JSON object with a string `type`,
 * which every frame of every version of the protocol is; else undefined
 * (a frame, maybe of a newer server).
 */
export function notChatLine(line: string, helloLine: string): string | typeof ECHO | undefined {
  if (line === helloLine) return ECHO;
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    value = undefined;
  }
  const typed =
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { type?: unknown }).type === 'string';
  return typed ? undefined : quoteReply(line);
}

/**
 * Explains a peer that completed the TLS handshake and then spoke something
 * other than chat: `reply` is what it said (see notChatReply), or ECHO when
 * it sent the client's hello back. Final: retrying cannot change it.
 */
export function explainNotChat(
  host: string,
  port: number,
  reply: string | typeof ECHO,
): ConnectFailure {
  const said = reply === ECHO ? 'it echoed the hello back' : `it answered "${reply}"`;
  return fatal(
    'NOT_A_CHAT_SERVER',
    `${host}:${port} speaks TLS but is not a chat server: ${said}`,
    NOT_CHAT_HINT,
  );
}

/**
 * Explains an attempt that ran out of time. `silentAfter`: how far it got
 * before the peer stopped answering: TCP (a port that takes connections and
 * never answers the TLS handshake), TLS (a TLS server that never answers
 * hello), or undefined (no TCP connection, or the server had spoken).
 * Retried: a loaded chat server may just be slow. `ms`: the time allowed.
 */
export function explainTimeout(
  host: string,
  port: number,
  silentAfter: 'tcp' | 'tls' | undefined,
  ms: number,
): ConnectFailure {
  const where = `${host}:${port}`;
  const seconds = `${Math.round(ms / 100) / 10} s`;
  if (silentAfter === 'tcp') {
    return retry(
      'CONNECT_FAILED',
      `${where} took the connection but did not answer the TLS handshake in ${seconds}: is it a chat server?`,
      NOT_CHAT_HINT,
    );
  }
  if (silentAfter === 'tls') {
    return retry(
      'CONNECT_FAILED',
      `${where} speaks TLS but did not answer hello in ${seconds}: is it a chat server?`,
      `${NOT_CHAT_HINT}; if it is one, see its log`,
    );
  }
  return explainSocketError('CONNECT_TIMEOUT', 'timed out', host, port);
}

/** Explains a close before `welcome` that came without an error frame. */
export function explainEarlyClose(host: string, port: number): ConnectFailure {
  return retry(
    'CERT_REFUSED',
    `the server at ${host}:${port} closed the connection before welcoming you`,
    'if it keeps happening your certificate may be refused (revoked, expired, another CA): ask your admin',
  );
}

// Fatal error codes after which reconnecting cannot help.
const FINAL: ReadonlySet<string> = new Set<ErrorCode>([
  'cert_rejected',
  'version_unsupported',
  'flood',
  'too_many_devices',
  'kicked',
  'server_banned',
  'auth_failed',
  'auth_locked',
]);

/** Explains a fatal error frame from the server. */
export function explainServerClose(code: string, message: string): ConnectFailure {
  const hints: Record<string, string> = {
    cert_rejected: NEW_CERTIFICATE,
    version_unsupported: 'update chat to the version the server runs',
    flood: 'you sent too fast; wait, then connect again',
    too_many_devices: 'close chat on one of your other devices',
    reconnect_too_fast:
      'you reconnected too often for the rooms you are in; chat retries by itself',
    server_shutdown: 'the server is restarting; chat reconnects by itself',
    server_full: 'the server is at its connection limit; chat retries',
    kicked: 'an operator of the server closed your connection; start chat again to come back',
    server_banned:
      'a server operator banned you from this server: start chat again once the ban ends, or ask them to lift it',
    auth_failed: 'check the password; an admin sets it on the server with `chat users passwd NAME`',
    auth_locked: 'wait that long, then start chat again with the right password',
  };
  const codes: Record<string, ChatErrorCode> = {
    cert_rejected: 'CERT_REFUSED',
    auth_failed: 'AUTH_FAILED',
    auth_locked: 'AUTH_LOCKED',
    kicked: 'REMOVED',
    server_banned: 'REMOVED',
  };
  const error = new ChatError(codes[code] ?? 'SERVER_ERROR', `server: ${message}`, {
    hint: hints[code] ?? 'chat reconnects by itself',
  });
  return { error, retry: !FINAL.has(code) };
}

function fatal(code: ChatErrorCode, message: string, hint: string): ConnectFailure {
  return { error: new ChatError(code, message, { hint }), retry: false };
}

function retry(
  code: 'CONNECT_FAILED' | 'CERT_REFUSED',
  message: string,
  hint: string,
): ConnectFailure {
  return { error: new ChatError(code, message, { hint }), retry: true };
}
