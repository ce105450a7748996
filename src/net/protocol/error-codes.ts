/**
 * The `code` of every `error` frame, with what it means. Clients branch on
 * the code, never on the message text. Fatal ones are followed by a close.
 */
export const ERROR_CODES = {
  bad_utf8: 'the line is not valid UTF-8',
  bad_json: 'the line is not a JSON object',
  line_too_long: 'the line exceeds the frame size limit (fatal)',
  unknown_type: 'no frame has that type',
  invalid_frame: 'a field is missing, extra, of the wrong type or out of range',
  hello_required: 'the first frame must be hello (fatal)',
  version_unsupported: 'the server does not speak that protocol version (fatal)',
  not_member: 'you are not in that room: join it first',
  unknown_user: 'no user of that name has a certificate on this server',
  text_too_long: "the text exceeds the server's message length",
  rate_limited:
    'too many frames, or joins faster than the join rate: this one was dropped, slow down',
  reconnect_too_fast:
    'the rooms of this hello need more join tokens than you have now: reconnect later (fatal)',
  flood: 'rate limit exceeded again and again (fatal)',
  too_many_errors: 'too many invalid frames (fatal)',
  server_full: 'the server has reached its connection limit (fatal)',
  too_many_connections: 'too many connections from your address (fatal)',
  too_many_devices: 'too many connections for your user (fatal)',
  cert_rejected:
    'your certificate was revoked during the session, or its name is not a valid chat user name (fatal)',
  hello_timeout: 'no hello within the handshake timeout (fatal)',
  idle_timeout: 'no answer to ping within the idle timeout (fatal)',
  server_shutdown: 'the server is shutting down (fatal)',
  kicked: 'an operator closed your connection (fatal)',
  not_operator: 'only an operator of the room (or of the server) may do that',
  banned: 'you are banned from that room until the ban ends or an operator lifts it',
  server_banned:
    'you are banned from this server until the ban ends or an operator lifts it (fatal)',
  muted: 'you are muted in that room: you may read, not send',
  no_such_message: 'no message with that id is kept in that conversation, or it was deleted',
  not_author: 'only its author may edit a message (and delete it, unless you operate its room)',
  sealed_message: 'a message sealed end to end cannot be edited: delete it and send it again',
  history_gap: 'some messages you missed are no longer kept',
  too_many_rooms:
    'you are in the most rooms allowed, created the most rooms allowed this hour, or the server keeps no more rooms',
  store_failed:
    'the server could not store the message (send it again), or read what you missed (fatal: resume again)',
  auth_required: 'the server asked for your password: send auth, and only auth, first (fatal)',
  auth_failed: 'wrong password (fatal)',
  auth_locked: 'too many wrong passwords from your address: wait, then try again (fatal)',
  auth_timeout: 'no password within the time allowed (fatal)',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Codes after which the server closes the connection. */
export const FATAL_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'line_too_long',
  'hello_required',
  'version_unsupported',
  'flood',
  'too_many_errors',
  'server_full',
  'too_many_connections',
  'too_many_devices',
  'reconnect_too_fast',
  'cert_rejected',
  'hello_timeout',
  'idle_timeout',
  'server_shutdown',
  'kicked',
  'server_banned',
  'auth_required',
  'auth_failed',
  'auth_locked',
  'auth_timeout',
]);
