import { z } from 'zod';
import { dmEnvelope } from '../e2ee/envelope-format.ts';

/**
 * Protocol v1: one JSON object per line over TLS. Every frame a peer sends is
 * checked against these schemas field by field; objects are strict, so an
 * extra key (`__proto__` included) is an invalid frame. Inside `resume`, keys
 * must name conversations; zod drops a `__proto__` key there, so it reaches
 * nothing either way.
 * docs/PROTOCOL.md is the prose version of this file.
 */
export const PROTOCOL_VERSION = 1;

/** Absolute ceilings, whatever the server is configured to (characters or items). */
export const MAX_TEXT_CHARS = 16_000;
export const MAX_TOPIC_CHARS = 300;
export const MAX_AWAY_CHARS = 200;
export const MAX_HISTORY_LIMIT = 200;
export const MAX_ROOMS_PER_HELLO = 100;
/** Most messages of backlog a hello may ask for, per conversation. */
export const MAX_BACKLOG = MAX_HISTORY_LIMIT;
/** Longest search text, in characters. */
export const MAX_SEARCH_CHARS = 200;
/** Most results one search answer holds. */
export const MAX_SEARCH_RESULTS = 100;
/** Most mentions of you an `unread` entry quotes. */
export const MAX_MENTION_LINES = 5;
/** Longest password an `auth` frame carries, in bytes of UTF-8 (an empty one is refused too). */
export const MAX_PASSWORD_BYTES = 1024;
/** Most rooms one `list` answer names (the server's --max-rooms is at most this by default). */
export const MAX_LIST_ROOMS = 1000;
/** Longest reason a kick, ban or mute carries, in characters. */
export const MAX_REASON_CHARS = 300;
/** Longest ban or mute, in seconds (a year); absent: until undone. */
/** Most certificates the key directory gives for one user (one per device). */
export const MAX_USER_CERTS = 16;
/** Most characters of one certificate in a `keys` answer: base64 of its DER (an RSA-4096 one is ~2,000). */
export const MAX_CERT_CHARS = 8_000;
export const MAX_MODERATION_SECONDS = 365 * 24 * 3600;

/** A room name: `#` and 1-32 of a-z 0-9 _ -. */
export const ROOM_PATTERN = /^#[a-z0-9_-]{1,32}$/;
/** A user name, the CN of a client certificate: 1-32 of a-z 0-9 _ -. */
export const USER_PATTERN = /^[a-z0-9_-]{1,32}$/;

// C0 and C1 controls except tab and newline: ESC and friends could drive the
// reader's terminal, so text carrying them is refused, never relayed.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
export const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

const room = z.string().regex(ROOM_PATTERN, 'must be # and 1-32 of a-z 0-9 _ -');
const user = z.string().regex(USER_PATTERN, 'must be 1-32 of a-z 0-9 _ -');
/** A conversation: a room, or `@user` for direct messages with that user. */
const conversation = z
  .string()
  .refine((s) => ROOM_PATTERN.test(s) || (s.startsWith('@') && USER_PATTERN.test(s.slice(1))), {
    message: 'must be a #room or an @user',
  });
/** A request's ref: 1-64 printable ASCII characters. */
export const REF_PATTERN = /^[\x21-\x7e]{1,64}$/;
const ref = z.string().regex(REF_PATTERN, 'must be 1-64 printable ASCII characters');
const id = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const ts = z.number().int().min(0);

// Bidi embeddings, overrides and isolates, and the Unicode line and paragraph
// separators: they can make a terminal show text other than what was sent.
export const DISGUISE = /[\u202a-\u202e\u2066-\u2069\u2028\u2029]/;

function text(max: number, min = 1) {
  return z
    .string()
    .min(min)
    .max(max)
    .refine((s) => !CONTROL.test(s), { message: 'must not contain control characters' })
    .refine((s) => !DISGUISE.test(s), {
      message: 'must not contain bidi or line-separator controls',
    })
    .refine((s) => s.isWellFormed(), { message: 'must be well-formed Unicode' });
}

/** Text that stays on one line (topics, away messages): no newline or tab either. */
function lineText(max: number, min = 1) {
  return text(max, min).refine((s) => !/[\n\t]/.test(s), { message: 'must be a single line' });
}

// Client to server.

export const helloFrame = z.strictObject({
  type: z.literal('hello'),
  v: z.number().int().min(1),
  client: z.string().regex(/^[\x20-\x7e]{1,64}$/, 'must be 1-64 printable ASCII characters'),
  /** Conversations to rejoin, each with the last message id this client saw. */
  resume: z
    .record(conversation, id)
    .refine((r) => Object.keys(r).length <= MAX_ROOMS_PER_HELLO, {
      message: 'too many conversations',
    })
    .optional(),
  /** Rooms to join without replay. Without resume or join: #general. */
  join: z.array(room).max(MAX_ROOMS_PER_HELLO).optional(),
  /** The server epoch the resume ids belong to (from an earlier welcome). */
  epoch: z.string().max(64).optional(),
  /**
   * After welcome, send the newest `backlog` messages of every room joined
   * that is not resumed, and of every direct conversation with unread
   * messages, as history frames (ref "backlog").
   */
  backlog: z.number().int().min(0).max(MAX_BACKLOG).optional(),
  /**
   * A program's connection, not a person's (`chat send`, `chat tail`): its
   * coming and going is not announced to others (docs/PROTOCOL.md).
   */
  script: z.boolean().optional(),
});

export const sendFrame = z.strictObject({
  type: z.literal('send'),
  room,
  text: text(MAX_TEXT_CHARS),
  ref,
  action: z.boolean().optional(),
});

/**
 * A direct message: its `text`, or, sealed end to end, an envelope
 * (docs/PROTOCOL.md section 12) from the sender to `to` whose `cid` is the
 * frame's `ref`; exactly one of the two. An action's flag is inside a
 * sealed envelope, never beside it.
 */
export const dmFrame = z
  .strictObject({
    type: z.literal('dm'),
    to: user,
    text: text(MAX_TEXT_CHARS).optional(),
    sealed: dmEnvelope.optional(),
    ref,
    action: z.boolean().optional(),
  })
  .refine((frame) => (frame.text === undefined) !== (frame.sealed === undefined), {
    message: 'give exactly one of text and sealed',
  })
  .refine((frame) => frame.sealed === undefined || frame.action === undefined, {
    message: 'a sealed message says inside whether it is an action',
  })
  .refine((frame) => frame.sealed === undefined || frame.sealed.to === frame.to, {
    message: 'the envelope is for another recipient than to',
    path: ['sealed', 'to'],
  })
  .refine((frame) => frame.sealed === undefined || frame.sealed.cid === frame.ref, {
    message: "the envelope's cid must be the frame's ref",
    path: ['sealed', 'cid'],
  });

export const joinFrame = z.strictObject({ type: z.literal('join'), room });
export const partFrame = z.strictObject({ type: z.literal('part'), room });

export const historyRequestFrame = z.strictObject({
  type: z.literal('history'),
  room: conversation,
  /** Only messages with a smaller id; absent: the newest. */
  before: id.optional(),
  limit: z.number().int().min(1).max(MAX_HISTORY_LIMIT),
  /** Echoed in the answer (or in the error), so a client can pair them. */
  ref: ref.optional(),
});

export const topicRequestFrame = z.strictObject({
  type: z.literal('topic'),
  room,
  /** The new topic; empty clears it. */
  text: lineText(MAX_TOPIC_CHARS, 0),
});

export const awayFrame = z.strictObject({
  type: z.literal('away'),
  text: lineText(MAX_AWAY_CHARS),
});
export const backFrame = z.strictObject({ type: z.literal('back') });
export const pingFrame = z.strictObject({ type: z.literal('ping'), ref });
export const pongFrame = z.strictObject({ type: z.literal('pong'), ref });
/** You have seen a conversation up to `id`: your read position moves there (never back). */
export const readFrame = z.strictObject({ type: z.literal('read'), room: conversation, id });

/** Search your own conversations (or one of them) for messages holding every word. */
export const searchRequestFrame = z.strictObject({
  type: z.literal('search'),
  text: lineText(MAX_SEARCH_CHARS),
  /** Only this conversation; absent: every room you are in and every direct conversation of yours. */
  room: conversation.optional(),
  /** Most results (default and ceiling: MAX_SEARCH_RESULTS; the server may cap it lower). */
  limit: z.number().int().min(1).max(MAX_SEARCH_RESULTS).optional(),
  ref,
});

/** Every room the server holds that has members or a topic (answered by `list`). */
export const listRequestFrame = z.strictObject({ type: z.literal('list'), ref });
/** What the server knows of a user now (answered by `whois`, or `unknown_user`). */
export const whoisRequestFrame = z.strictObject({ type: z.literal('whois'), user, ref });
/**
 * The key directory: every valid, unrevoked certificate of a user, one per
 * device (answered by `keys`, or `unknown_user`). A client checks each
 * against the team's CA itself before sealing a direct message for it.
 */
export const keysRequestFrame = z.strictObject({ type: z.literal('keys'), user, ref });

/**
 * Change the text of one of your own messages (room or direct). Answered by
 * `ack` (ref, the message's id, the time of the edit); everyone in the
 * conversation gets `update` with the message as it is now.
 */
export const editFrame = z.strictObject({
  type: z.literal('edit'),
  room: conversation,
  id,
  text: text(MAX_TEXT_CHARS),
  ref,
});

/**
 * Delete one of your own messages, or, as an operator of its room, anyone's.
 * Answered by `ack`; everyone in the conversation gets `update` with the
 * message deleted (its text gone, `deleted` set).
 */
export const deleteFrame = z.strictObject({
  type: z.literal('delete'),
  room: conversation,
  id,
  ref,
});

/** What an operator can do to a user or a room (docs/PROTOCOL.md, Operators). */
export const moderationAction = z.enum([
  'kick',
  'ban',
  'unban',
  'mute',
  'unmute',
  'op',
  'deop',
  'topic-lock',
  'topic-unlock',
]);
export type ModerationAction = z.infer<typeof moderationAction>;

/**
 * An operator's act. `user` names the target (all actions but topic-lock and
 * topic-unlock); `room` the room (all but a server-wide ban or unban, which
 * only server operators may make). Refused with an error carrying the ref;
 * done, it is shown to the room as `moderated`.
 */
export const moderateFrame = z.strictObject({
  type: z.literal('moderate'),
  action: moderationAction,
  room: room.optional(),
  user: user.optional(),
  /** Shown to everyone with the act (kick, ban, mute). */
  reason: lineText(MAX_REASON_CHARS).optional(),
  /** For ban and mute: how long, in seconds; absent: until unban or unmute. */
  duration: z.number().int().min(1).max(MAX_MODERATION_SECONDS).optional(),
  ref,
});

/** The user's password, sent only when the server asks for it (server `auth`), after hello. */
export const authFrame = z.strictObject({
  type: z.literal('auth'),
  password: z
    .string()
    .min(1)
    .refine((s) => Buffer.byteLength(s) <= MAX_PASSWORD_BYTES, {
      message: `must be at most ${MAX_PASSWORD_BYTES} bytes`,
    }),
});

/** Every frame a client may send, by type. */
export const clientFrameSchemas = {
  hello: helloFrame,
  send: sendFrame,
  dm: dmFrame,
  join: joinFrame,
  part: partFrame,
  history: historyRequestFrame,
  topic: topicRequestFrame,
  away: awayFrame,
  back: backFrame,
  ping: pingFrame,
  pong: pongFrame,
  auth: authFrame,
  read: readFrame,
  search: searchRequestFrame,
  list: listRequestFrame,
  whois: whoisRequestFrame,
  keys: keysRequestFrame,
  edit: editFrame,
  delete: deleteFrame,
  moderate: moderateFrame,
} as const;

export type ClientFrameType = keyof typeof clientFrameSchemas;
export type ClientFrame = {
  [K in ClientFrameType]: z.infer<(typeof clientFrameSchemas)[K]>;
}[ClientFrameType];
export type HelloFrame = z.infer<typeof helloFrame>;

// Server to client.

export const presenceStatus = z.enum(['online', 'away', 'offline']);
export type PresenceStatus = z.infer<typeof presenceStatus>;

/** When a message was last edited (ms), present once it was. */
const edited = ts.optional();
/**
 * Present once a message was deleted: its text is then empty. `by` names the
 * operator who deleted it; absent when its author did.
 */
const deleted = z.strictObject({ by: user.optional(), ts }).optional();

// A message's text from the server: empty only when it was deleted.
const storedText = text(MAX_TEXT_CHARS, 0);

const roomMessage = z.strictObject({
  type: z.literal('msg'),
  id,
  ts,
  room,
  from: user,
  text: storedText,
  action: z.boolean().optional(),
  edited,
  deleted,
});

const directMessage = z.strictObject({
  type: z.literal('dm'),
  id,
  ts,
  from: user,
  to: user,
  /** Empty when the message is sealed (or deleted). */
  text: storedText,
  action: z.boolean().optional(),
  /** The envelope, for a message sealed end to end: only the two ends can open it. */
  sealed: dmEnvelope.optional(),
  edited,
  deleted,
});

const roomState = z.strictObject({
  room,
  topic: z.string(),
  members: z.array(user),
  /** The id of the newest message in the room (0: none yet). */
  lastId: id,
  /** The room's operators (server operators aside), sorted; absent when none. */
  ops: z.array(user).optional(),
  /** True while only operators may set the topic (`topic-lock`). */
  topicLock: z.boolean().optional(),
});

const userState = z.strictObject({
  user,
  status: presenceStatus,
  text: z.string().optional(),
});

/** Limits the server enforces, so a client can respect them up front. */
const limits = z.strictObject({
  /** Longest line the server reads, in bytes, newline excluded. */
  maxFrameBytes: z.number().int(),
  /** Longest message text, in characters. */
  maxTextChars: z.number().int(),
  /** Frames per second per user, sustained. */
  ratePerSecond: z.number(),
  /** Frames a user may send at once before the rate applies. */
  rateBurst: z.number().int(),
  /** Most messages one history request returns. */
  maxHistory: z.number().int(),
});

/**
 * Where a user stands in one conversation: its newest id, the user's read
 * position, and what came after it from others.
 */
const unreadEntry = z.strictObject({
  room: conversation,
  lastId: id,
  /** The user's read position: the newest id they have seen (0: none). */
  read: id,
  /** Messages from others with an id above `read`. */
  unread: z.number().int().min(0),
  /** Of those, the ones that name the user (their name as a word, or @name). */
  mentions: z.number().int().min(0),
  /** The newest of those mentions, oldest first, at most MAX_MENTION_LINES. */
  lines: z.array(z.union([roomMessage, directMessage])).max(MAX_MENTION_LINES),
  /** The room's topic, when it was set while the user was away. */
  topic: z.strictObject({ text: z.string(), by: user, ts }).optional(),
});

export const welcomeFrame = z.strictObject({
  type: z.literal('welcome'),
  v: z.number().int(),
  user,
  server: z.string(),
  motd: z.string(),
  /** Names this run of the server's id sequences (see hello.epoch). */
  epoch: z.string().optional(),
  rooms: z.array(roomState),
  users: z.array(userState),
  limits,
  /** The server's operators (operators in every room), sorted; absent when none. */
  operators: z.array(user).optional(),
});

export const serverFrameSchemas = {
  welcome: welcomeFrame,
  /**
   * Right after welcome: every room the user is in and every direct
   * conversation of theirs with kept messages, with the read position and
   * what is unread. `since`: when the user's last connection closed, only
   * when this one brings them back (no other was open).
   */
  unread: z.strictObject({
    type: z.literal('unread'),
    conversations: z.array(unreadEntry),
    since: ts.optional(),
  }),
  /** The user's read position in a conversation moved (on any of their devices). */
  read: z.strictObject({ type: z.literal('read'), room: conversation, id }),
  /** The answer to a search: matches newest first; `more` when some were left out. */
  search: z.strictObject({
    type: z.literal('search'),
    ref,
    messages: z.array(z.union([roomMessage, directMessage])),
    more: z.boolean(),
  }),
  /** The answer to `list`: rooms by name, at most MAX_LIST_ROOMS; `more` when some were left out. */
  list: z.strictObject({
    type: z.literal('list'),
    ref,
    rooms: z
      .array(z.strictObject({ room, members: z.number().int().min(0), topic: z.string() }))
      .max(MAX_LIST_ROOMS),
    more: z.boolean(),
  }),
  /** The answer to `whois`. */
  whois: z.strictObject({
    type: z.literal('whois'),
    ref,
    user,
    online: z.boolean(),
    /** Connections the user holds now. */
    devices: z.number().int().min(0),
    /** online, away, or offline when no connection is open. */
    status: presenceStatus,
    /** The away text, while away. */
    text: z.string().optional(),
    /** Time since the user's last frame from any device, in ms; absent when never seen since the start. */
    idleMs: z.number().int().min(0).optional(),
    /** SHA-256 of the client certificate of each current connection, colon hex, sorted, distinct. */
    fingerprints: z.array(z.string().regex(/^[0-9A-F]{2}(:[0-9A-F]{2}){31}$/)),
  }),
  /** The answer to `keys`: the user's certificates, DER in canonical base64, sorted, distinct. */
  keys: z.strictObject({
    type: z.literal('keys'),
    ref,
    user,
    certs: z
      .array(
        z
          .string()
          .max(MAX_CERT_CHARS)
          .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64'),
      )
      .max(MAX_USER_CERTS),
  }),
  msg: roomMessage,
  dm: directMessage,
  /**
   * A message kept earlier changed (edited or deleted): here it is as it is
   * now, to put in place of the one with its id in its conversation.
   */
  update: z.strictObject({
    type: z.literal('update'),
    message: z.union([roomMessage, directMessage]),
  }),
  /**
   * An operator's act, shown to the room's members, the target and the
   * operator. `room` absent: server-wide (a ban or unban, or a kick from the
   * server's console or dashboard), shown in every room the user shares.
   * `by` absent: the server's operator (console, dashboard).
   */
  moderated: z.strictObject({
    type: z.literal('moderated'),
    action: moderationAction,
    room: room.optional(),
    user: user.optional(),
    by: user.optional(),
    reason: z.string().optional(),
    /** For ban and mute: when it ends (ms); absent: until undone. */
    until: ts.optional(),
    ts,
  }),
  ack: z.strictObject({ type: z.literal('ack'), ref, id, ts }),
  joined: z.strictObject({
    type: z.literal('joined'),
    room,
    user,
    ts,
    /** Present only for the joining user's own connections: the room as it is now. */
    state: roomState.optional(),
  }),
  left: z.strictObject({
    type: z.literal('left'),
    room,
    user,
    ts,
    reason: z.enum(['part', 'quit']),
  }),
  presence: z.strictObject({
    type: z.literal('presence'),
    user,
    status: presenceStatus,
    text: z.string().optional(),
  }),
  history: z.strictObject({
    type: z.literal('history'),
    room: conversation,
    messages: z.array(z.union([roomMessage, directMessage])),
    /** True when older messages exist before the first one here. */
    more: z.boolean(),
    /** The request's ref, when it had one. */
    ref: ref.optional(),
  }),
  topic: z.strictObject({ type: z.literal('topic'), room, text: z.string(), by: user, ts }),
  error: z.strictObject({
    type: z.literal('error'),
    code: z.string(),
    message: z.string(),
    ref: ref.optional(),
    /** The server closes the connection after a fatal error. */
    fatal: z.boolean().optional(),
  }),
  ping: pingFrame,
  pong: pongFrame,
  /** After hello, on a server that requires passwords: send `auth` with this user's password. */
  auth: z.strictObject({ type: z.literal('auth'), user }),
} as const;

export type ServerFrameType = keyof typeof serverFrameSchemas;
export type ServerFrame = {
  [K in ServerFrameType]: z.infer<(typeof serverFrameSchemas)[K]>;
}[ServerFrameType];
export type ServerFrameOf<K extends ServerFrameType> = z.infer<(typeof serverFrameSchemas)[K]>;
export type RoomMessage = z.infer<typeof roomMessage>;
export type DirectMessage = z.infer<typeof directMessage>;
export type StoredMessage = RoomMessage | DirectMessage;
export type RoomState = z.infer<typeof roomState>;
export type UserState = z.infer<typeof userState>;
export type Limits = z.infer<typeof limits>;
export type UnreadEntry = z.infer<typeof unreadEntry>;
