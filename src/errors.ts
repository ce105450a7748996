/**
 * Stable codes for every failure a user can cause or fix. Tests assert the
 * code, never the wording of the message.
 */
export type ChatErrorCode =
  | 'USAGE'
  | 'INVALID_NAME'
  | 'INVALID_HOST'
  | 'INVALID_DAYS'
  | 'NO_CA'
  | 'CA_KEY_MISSING'
  | 'CA_KEY_UNREADABLE'
  | 'CA_KEY_MISMATCH'
  | 'CA_CERT_UNREADABLE'
  | 'CA_EXPIRED'
  | 'CRL_UNREADABLE'
  | 'CERT_REVOKED'
  | 'CERT_EXISTS'
  | 'CERT_NOT_FOUND'
  | 'CERT_UNREADABLE'
  | 'DIR_UNWRITABLE'
  | 'NOT_A_DIRECTORY'
  | 'FILE_UNREADABLE'
  | 'INTERRUPTED'
  | 'BUSY'
  | 'PORT_IN_USE'
  | 'CONNECT_FAILED'
  | 'NOT_A_CHAT_SERVER'
  | 'SERVER_IDENTITY'
  | 'CERT_REFUSED'
  | 'SERVER_ERROR'
  /** An operator put the user off the server: a fatal `kicked` or `server_banned`. */
  | 'REMOVED'
  | 'NO_CLIENT_CERT'
  | 'INVALID_MESSAGE'
  /** A direct message not sealed, so not sent: the peer's certificates changed since verified, or none holds. */
  | 'DM_HELD'
  | 'INVALID_PASSWORD'
  | 'PASSWORD_REQUIRED'
  | 'AUTH_FAILED'
  | 'AUTH_LOCKED'
  | 'USER_EXISTS'
  | 'USER_NOT_FOUND'
  | 'HISTORY_KEY_MISSING'
  | 'HISTORY_KEY_WRONG'
  | 'HISTORY_DAMAGED'
  | 'HISTORY_NOT_FOUND'
  /** `--redis`: Redis cannot be reached, or does not promise what an ack promises. */
  | 'REDIS_UNAVAILABLE'
  | 'REDIS_NOT_DURABLE'
  /** `--redis` with `--require-password` or `chat users`: Redis holds no users table, or one that does not open. */
  | 'USERS_TABLE_MISSING'
  | 'USERS_TABLE_DAMAGED'
  | 'INVITE_FORMAT'
  | 'INVITE_VERSION'
  | 'INVITE_TRUNCATED'
  | 'INVITE_PASSPHRASE'
  | 'INVITE_TAMPERED'
  | 'INVITE_INVALID'
  | 'FILE_EXISTS'
  | 'PROFILE_EXISTS';

/**
 * The one error type of `chat`. `message` says what happened and `hint` what
 * to do, each a single line, so the CLI can print them without a stack trace.
 */
export class ChatError extends Error {
  override readonly name = 'ChatError';
  readonly code: ChatErrorCode;
  readonly hint: string | undefined;

  constructor(
    code: ChatErrorCode,
    message: string,
    options: { hint?: string; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.hint = options.hint;
  }
}

/** The one line a user sees for an error: what happened, then what to do. */
export function describeError(error: ChatError): string {
  return error.hint ? `${error.message} — ${error.hint}` : error.message;
}
