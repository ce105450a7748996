/**
 * One IRC client's session, as a translator between IRC and the chat
 * protocol: IRC lines become the chat frames a chat client would send, and
 * the server's chat frames become IRC lines. The server sees an ordinary
 * chat connection, so its rules (membership, rate limits, text limits,
 * history) hold for IRC clients unchanged. The user is the client
 * certificate's name, never the NICK. Pure: no sockets, no clock.
 */
import type {
  ClientFrame,
  RoomState,
  ServerFrame,
  ServerFrameOf,
  StoredMessage,
} from '../../net/protocol/frames.ts';
import {
  MAX_HISTORY_LIMIT,
  MAX_TOPIC_CHARS,
  ROOM_PATTERN,
  USER_PATTERN,
} from '../../net/protocol/frames.ts';
import { ctcp, type ParsedLine, serializeIrcLine } from './irc-line.ts';
import { modeLineFor, readModeChange } from './irc-moderation.ts';

/** The capabilities offered (IRCv3), with what CAP LS 302 says of each. */
const CAPABILITIES: Record<string, string> = {
  'server-time': '',
  'message-tags': '',
  'echo-message': '',
  'away-notify': '',
  batch: '',
  'draft/chathistory': '',
  sasl: 'EXTERNAL,PLAIN',
};
/** How much of an edited message's new text its notice shows (bytes): the line must fit 512. */
const EDIT_SHOWN_BYTES = 300;
/** A NICK that can stand in a source (`nick!user@host`) until the certificate's name replaces it. */
const NICK_PATTERN = /^[A-Za-z0-9_\-[\]\\`^{}|]{1,32}$/;
/** Ids of the connection's own messages remembered, to tell their echo (count). */
const SENT_IDS = 1_000;
/** Mode changes one MODE line may ask for (ISUPPORT MODES). */
const MODES_PER_LINE = 4;
/** Requests remembered while their answer may still come. */
const MAX_ASKED = 256;
/** Messages the history on joining and a CHATHISTORY request give at most. */
const BACKLOG = 20;
/** Longest IRC line without its tags, CR LF excluded (bytes). */
const LINE_BYTES = 510;
/** NICKLEN and the room name's length, as ISUPPORT says them. */
const NAME_MAX = 32;
const CHANNEL_MAX = 33;
/** Members per RPL_NAMREPLY line: well under 512 bytes at 33 bytes a name. */
const NAMES_PER_LINE = 12;
// IRC formatting (bold, colour with its digits, italics, reset…): chat text is plain.
// biome-ignore lint/suspicious/noControlCharactersInRegex: IRC's formatting codes are control characters.
const FORMATTING = /\u0003(?:\d{1,2}(?:,\d{1,2})?)?|[\u0002\u000f\u0011\u0016\u001d\u001e\u001f]/g;

/** What a session is told when it starts. */
export interface IrcSessionOptions {
  /** The client certificate's name: the user, whatever NICK says. */
  user: string;
  /** The server's name in IRC replies (`:chat.server 001 …`). */
  serverName: string;
  /** The version said in RPL_MYINFO. */
  version: string;
  /**
   * Starts the chat refs of this connection's messages: unique per
   * connection (a few random hex characters), since the server remembers
   * refs per user over all their connections and drops a message whose ref
   * it saw before in the same conversation.
   */
  refPrefix: string;
}

/** What one line or frame asks of the connection. */
export interface IrcOutput {
  /** Chat frames to give the server, as a chat client's. */
  frames: ClientFrame[];
  /** IRC lines to write to the client (without CR LF). */
  lines: string[];
  /** Set when the connection is to close after the lines, with why. */
  close?: string | undefined;
}

interface Pending {
  target: string;
  text: string;
  action: boolean;
}

const nothing = (): IrcOutput => ({ frames: [], lines: [] });

// Never in a line: what would end it or cut it.
const LINE_BREAKERS = /[\r\n\0]/g;

/**
 * Parameters made writable whatever a client put in them: a middle one is
 * its first word (`*` when there is none, or it would read as the trailing
 * one), and none holds CR, LF or NUL. Replies echo what clients typed.
 */
function safeParams(params: readonly string[]): string[] {
  return params.map((param, index) => {
    const clean = param.replace(LINE_BREAKERS, ' ');
    if (index === params.length - 1) return clean;
    const word = clean.split(' ').find((part) => part !== '') ?? '';
    return word === '' || word.startsWith(':') ? '*' : word;
  });
}

/** Milliseconds since the epoch as IRCv3 server-time writes them. */
function isoTime(ts: number): string {
  return new Date(ts).toISOString();
}

/** Splits `text` into pieces of at most `bytes` UTF-8 bytes, between code points. */
function splitBytes(text: string, bytes: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  let size = 0;
  for (const point of text) {
    const length = Buffer.byteLength(point);
    if (size + length > bytes && piece !== '') {
      pieces.push(piece);
      piece = '';
      size = 0;
    }
    piece += point;
    size += length;
  }
  pieces.push(piece);
  return pieces;
}

/**
 * The state of one IRC client: registration, capabilities, the rooms it is
 * in and their members and topics, and the messages it sent that wait for
 * their ack.
 */
export class IrcSession {
  private nick = '*';
  private userGiven = false;
  private negotiating = false;
  private helloSent = false;
  private welcomed = false;
  private readonly caps = new Set<string>();
  private readonly rooms = new Map<
    string,
    { members: Set<string>; topic: string; ops: Set<string> }
  >();
  private readonly pending = new Map<string, Pending>();
  /** Rooms asked for with JOIN and not yet joined. */
  private readonly joining = new Set<string>();
  /** Ids of messages this connection sent, whose echo is its own to show or not. */
  private readonly sentIds = new Set<number>();
  private readonly pingRefs = new Set<string>();
  /** Requests waiting for their answer, by ref: what to do with it. */
  private readonly asked = new Map<
    string,
    { kind: 'list' | 'whois' | 'moderate' | 'history'; target: string }
  >();
  /** The server's operators (they operate every room). */
  private operators = new Set<string>();
  /** A password from PASS or SASL PLAIN, for a server that asks for one (`auth`). */
  private password: string | undefined;
  /** The SASL mechanism under way. */
  private mechanism: 'EXTERNAL' | 'PLAIN' | undefined;
  private nextRef = 1;
  private motd = '';
  /** SASL PLAIN's answer waits for the server's verdict on the password. */
  private saslWaiting = false;
  /** The welcome, come before the client finished registering: given when it has. */
  private held: IrcOutput | undefined;

  constructor(private readonly options: IrcSessionOptions) {}

  /** A ref no other connection of the user has used: the server takes a ref seen before as a resend. */
  private newRef(): string {
    return `irc-${this.options.refPrefix}-${this.nextRef++}`;
  }

  /** The user's own source, `nick!user@host`. */
  private source(user: string): string {
    return `${user}!${user}@chat`;
  }

  private line(
    command: string,
    params: string[],
    extra: { source?: string; tags?: Record<string, string> } = {},
  ): string {
    // Tags only as negotiated: server-time alone gives the time, message-tags all of them.
    const tags: Record<string, string> = {};
    for (const [name, value] of Object.entries(extra.tags ?? {})) {
      const allowed =
        this.caps.has('message-tags') ||
        (name === 'time' && this.caps.has('server-time')) ||
        (name === 'batch' && this.caps.has('batch'));
      if (allowed) {
        tags[name] = value;
      }
    }
    return serializeIrcLine({
      ...(Object.keys(tags).length > 0 ? { tags } : {}),
      source: extra.source ?? this.options.serverName,
      command,
      params: safeParams(params),
    });
  }

  /** A numeric reply to the client: `:server NNN nick params…`. */
  private numeric(code: string, ...params: string[]): string {
    return this.line(code, [this.nick, ...params]);
  }

  private notice(text: string): string {
    return this.line('NOTICE', [this.nick, text]);
  }

  /** A line that could not be read (too long, not UTF-8…): said, and dropped. */
  refusedLine(why: string): IrcOutput {
    return { ...nothing(), lines: [this.line('NOTICE', [this.nick, `line dropped: ${why}`])] };
  }

  /** One IRC line from the client. */
  fromClient(message: ParsedLine): IrcOutput {
    const [first = '', second = ''] = message.params;
    switch (message.command) {
      case 'CAP':
        return this.cap(first.toUpperCase(), message.params.slice(1));
      case 'AUTHENTICATE':
        return this.authenticate(first);
      case 'NICK':
        if (first === '')
          return { ...nothing(), lines: [this.numeric('431', 'No nickname given')] };
        if (!NICK_PATTERN.test(first)) {
          return { ...nothing(), lines: [this.numeric('432', first, 'Erroneous nickname')] };
        }
        if (!this.welcomed) this.nick = first;
        return this.welcomed && first !== this.nick
          ? {
              ...nothing(),
              lines: [
                this.numeric('432', first, `Your nick is your certificate's name: ${this.nick}`),
              ],
            }
          : this.register();
      case 'USER':
        this.userGiven = true;
        return this.register();
      case 'PING':
        return { ...nothing(), lines: [this.line('PONG', [this.options.serverName, first])] };
      case 'PONG': {
        const ref = second || first;
        if (!this.pingRefs.delete(ref)) return nothing();
        return { frames: [{ type: 'pong', ref }], lines: [] };
      }
      case 'PASS':
        if (!this.welcomed) this.password = message.params.at(-1);
        return nothing();
      case 'QUIT':
        return { frames: [], lines: [`ERROR :Closing link: ${first || 'quit'}`], close: 'quit' };
    }
    if (!this.welcomed)
      return { ...nothing(), lines: [this.numeric('451', 'You have not registered')] };
    switch (message.command) {
      case 'JOIN':
        return this.join(first);
      case 'PART':
        return this.part(first);
      case 'PRIVMSG':
      case 'NOTICE':
        return this.say(message.command, first, second);
      case 'TOPIC':
        return this.topic(first, message.params.length > 1 ? second : undefined);
      case 'NAMES':
        return { ...nothing(), lines: first === '' ? [] : this.names(first) };
      case 'MOTD':
        return { ...nothing(), lines: this.motdLines() };
      case 'MODE':
        return this.mode(first, second, message.params.slice(1));
      case 'WHO':
        return this.who(first);
      case 'LIST':
        return this.ask('list', '', (ref) => ({ type: 'list', ref }));
      case 'WHOIS': {
        const user = (second || first).toLowerCase();
        if (!USER_PATTERN.test(user)) {
          return {
            ...nothing(),
            lines: [
              this.numeric('401', user, 'No such nick'),
              this.numeric('318', user, 'End of /WHOIS list'),
            ],
          };
        }
        return this.ask('whois', user, (ref) => ({ type: 'whois', user, ref }));
      }
      case 'AWAY':
        return first === ''
          ? {
              frames: [{ type: 'back' }],
              lines: [this.numeric('305', 'You are no longer marked as being away')],
            }
          : {
              frames: [{ type: 'away', text: first }],
              lines: [this.numeric('306', 'You have been marked as being away')],
            };
      case 'KICK':
        return this.moderate(
          first,
          [{ action: 'kick', user: second.toLowerCase() }],
          message.params[2],
        );
      case 'CHATHISTORY':
        return this.chathistory(message.params);
      default:
        return { ...nothing(), lines: [this.numeric('421', message.command, 'Unknown command')] };
    }
  }

  private cap(sub: string, args: string[]): IrcOutput {
    // Until registered, the client is `*` to CAP (a NICK given is not yet its nick).
    const said = (params: string[]) =>
      this.line('CAP', [this.welcomed ? this.nick : '*', ...params]);
    switch (sub) {
      case 'LS': {
        if (!this.welcomed) this.negotiating = true;
        const v302 = Number(args[0] ?? 0) >= 302;
        const offered = Object.entries(CAPABILITIES).map(([name, value]) =>
          v302 && value !== '' ? `${name}=${value}` : name,
        );
        return { ...nothing(), lines: [said(['LS', offered.join(' ')])] };
      }
      case 'LIST':
        return { ...nothing(), lines: [said(['LIST', [...this.caps].join(' ')])] };
      case 'REQ': {
        if (!this.welcomed) this.negotiating = true;
        const asked = (args[0] ?? '').split(' ').filter((name) => name !== '');
        const known = asked.every((name) => name.replace(/^-/, '') in CAPABILITIES);
        if (!known) return { ...nothing(), lines: [said(['NAK', args[0] ?? ''])] };
        for (const name of asked) {
          if (name.startsWith('-')) this.caps.delete(name.slice(1));
          else this.caps.add(name);
        }
        return { ...nothing(), lines: [said(['ACK', args[0] ?? ''])] };
      }
      case 'END':
        this.negotiating = false;
        return this.register();
      default:
        return { ...nothing(), lines: [this.numeric('410', sub, 'Invalid CAP command')] };
    }
  }

  // The certificate already proved who this is: EXTERNAL only confirms it.
  // PLAIN carries the password a server run with --require-password asks for
  // after hello; its name must be the certificate's.
  private authenticate(argument: string): IrcOutput {
    const upper = argument.toUpperCase();
    if (upper === 'EXTERNAL' || upper === 'PLAIN') {
      this.mechanism = upper;
      return { ...nothing(), lines: ['AUTHENTICATE +'] };
    }
    if (argument === '*') {
      this.mechanism = undefined;
      return { ...nothing(), lines: [this.numeric('906', 'SASL authentication aborted')] };
    }
    const mechanism = this.mechanism;
    this.mechanism = undefined;
    if (mechanism === 'PLAIN') {
      const [, name = '', password = ''] = Buffer.from(argument, 'base64')
        .toString('utf8')
        .split('\0');
      if (name !== this.options.user || password === '') {
        return {
          ...nothing(),
          lines: [
            this.numeric(
              '904',
              `SASL authentication failed: the name must be your certificate's, ${this.options.user}`,
            ),
          ],
        };
      }
      this.password = password;
      // Told a success only once the server took the password: the hello goes now.
      this.saslWaiting = true;
      if (this.helloSent) return nothing();
      this.helloSent = true;
      return { frames: [this.hello()], lines: [] };
    } else if (mechanism !== 'EXTERNAL') {
      return {
        ...nothing(),
        lines: [
          this.numeric('908', 'EXTERNAL,PLAIN', 'are available SASL mechanisms'),
          this.numeric('904', 'SASL authentication failed'),
        ],
      };
    }
    return { ...nothing(), lines: this.saslSuccess() };
  }

  private saslSuccess(): string[] {
    const user = this.options.user;
    return [
      this.numeric('900', this.source(user), user, `You are now logged in as ${user}`),
      this.numeric('903', 'SASL authentication successful'),
    ];
  }

  /** A chat request whose answer comes back with the same ref. */
  private ask(
    kind: 'list' | 'whois' | 'moderate' | 'history',
    target: string,
    frame: (ref: string) => ClientFrame,
  ): IrcOutput {
    const ref = this.newRef();
    // An act that was done is answered to the room, not to the ref: the oldest are let go.
    if (this.asked.size >= MAX_ASKED) this.asked.delete(this.asked.keys().next().value ?? '');
    this.asked.set(ref, { kind, target });
    return { frames: [frame(ref)], lines: [] };
  }

  private moderate(
    room: string,
    acts: ReturnType<typeof readModeChange>['acts'],
    reason: string | undefined,
  ): IrcOutput {
    const name = room.toLowerCase();
    if (!ROOM_PATTERN.test(name))
      return { ...nothing(), lines: [this.numeric('403', room, 'No such channel')] };
    const out = nothing();
    for (const act of acts) {
      if (act.user !== undefined && !USER_PATTERN.test(act.user)) {
        out.lines.push(this.numeric('401', act.user, 'No such nick'));
        continue;
      }
      const asked = this.ask('moderate', name, (ref) => ({
        type: 'moderate',
        action: act.action,
        room: name,
        ...(act.user === undefined ? {} : { user: act.user }),
        ...(reason === undefined || reason === '' ? {} : { reason }),
        ref,
      }));
      out.frames.push(...asked.frames);
    }
    return out;
  }

  /** `CHATHISTORY LATEST #room * N` or `CHATHISTORY BEFORE #room msgid=#room/ID N`. */
  private chathistory(params: readonly string[]): IrcOutput {
    const [sub = '', target = '', anchor = '', count = ''] = params;
    const room = target.toLowerCase();
    const limit = Math.min(MAX_HISTORY_LIMIT, Math.max(1, Number.parseInt(count, 10) || BACKLOG));
    const before = /^msgid=[^/]+\/(\d+)$/.exec(anchor)?.[1];
    const fail = (code: string, why: string) => ({
      ...nothing(),
      lines: [this.line('FAIL', ['CHATHISTORY', code, ...params.slice(0, 2), why])],
    });
    if (!ROOM_PATTERN.test(room)) return fail('INVALID_TARGET', 'history is kept for rooms here');
    if (sub.toUpperCase() === 'LATEST' && anchor === '*') {
      return this.ask('history', room, (ref) => ({ type: 'history', room, limit, ref }));
    }
    if (sub.toUpperCase() === 'BEFORE' && before !== undefined) {
      return this.ask('history', room, (ref) => ({
        type: 'history',
        room,
        before: Number(before),
        limit,
        ref,
      }));
    }
    return fail('INVALID_PARAMS', 'LATEST #room * N or BEFORE #room msgid=ID N');
  }

  // Registered once NICK and USER came and capability talk ended: the chat hello goes.
  private register(): IrcOutput {
    if (this.nick === '*' || !this.userGiven || this.negotiating) return nothing();
    // A welcome that came first (SASL PLAIN sent the hello early) is given now.
    const held = this.held;
    this.held = undefined;
    if (held !== undefined) return held;
    if (this.helloSent) return nothing();
    this.helloSent = true;
    return { frames: [this.hello()], lines: [] };
  }

  // The newest messages of each room come after its JOIN, as a bouncer plays them back.
  private hello(): ClientFrame {
    return { type: 'hello', v: 1, client: 'irc', backlog: BACKLOG };
  }

  private join(list: string): IrcOutput {
    if (list === '0') {
      return {
        frames: [...this.rooms.keys()].map((room) => ({ type: 'part' as const, room })),
        lines: [],
      };
    }
    const out = nothing();
    for (const room of list.split(',').filter((name) => name !== '')) {
      const name = room.toLowerCase();
      if (!ROOM_PATTERN.test(name)) {
        out.lines.push(this.numeric('403', room, 'No such channel: # and 1-32 of a-z 0-9 _ -'));
      } else if (!this.rooms.has(name)) {
        // A bot says something right after JOIN: the server takes the two in order.
        this.joining.add(name);
        out.frames.push({ type: 'join', room: name });
      }
    }
    return out;
  }

  private part(list: string): IrcOutput {
    const out = nothing();
    for (const room of list.split(',').filter((name) => name !== '')) {
      const name = room.toLowerCase();
      if (this.rooms.has(name)) out.frames.push({ type: 'part', room: name });
      else out.lines.push(this.numeric('442', room, "You're not on that channel"));
    }
    return out;
  }

  private say(command: string, target: string, raw: string): IrcOutput {
    if (target === '')
      return { ...nothing(), lines: [this.numeric('411', `No recipient given (${command})`)] };
    const request = ctcp(raw);
    // Only ACTION (/me) means something here; other CTCP (VERSION, PING…) goes nowhere.
    if (request !== undefined && request.command !== 'ACTION') return nothing();
    const action = request !== undefined;
    const text = (action ? (request?.params ?? '') : raw).replace(FORMATTING, '');
    if (text === '') return { ...nothing(), lines: [this.numeric('412', 'No text to send')] };
    const ref = this.newRef();
    const name = target.toLowerCase();
    if (name.startsWith('#')) {
      if (!this.rooms.has(name) && !this.joining.has(name))
        return {
          ...nothing(),
          lines: [this.numeric('404', target, 'Cannot send to channel: join it first')],
        };
      this.pending.set(ref, { target: name, text, action });
      return {
        frames: [{ type: 'send', room: name, text, ref, ...(action ? { action } : {}) }],
        lines: [],
      };
    }
    if (!USER_PATTERN.test(name))
      return { ...nothing(), lines: [this.numeric('401', target, 'No such nick')] };
    this.pending.set(ref, { target: name, text, action });
    return {
      frames: [{ type: 'dm', to: name, text, ref, ...(action ? { action } : {}) }],
      lines: [],
    };
  }

  private topic(room: string, text: string | undefined): IrcOutput {
    const name = room.toLowerCase();
    const state = this.rooms.get(name);
    if (state === undefined)
      return { ...nothing(), lines: [this.numeric('442', room, "You're not on that channel")] };
    if (text === undefined) return { ...nothing(), lines: [this.topicReply(name, state.topic)] };
    return { frames: [{ type: 'topic', room: name, text }], lines: [] };
  }

  private topicReply(room: string, topic: string): string {
    return topic === ''
      ? this.numeric('331', room, 'No topic is set')
      : this.numeric('332', room, topic);
  }

  private names(room: string): string[] {
    const name = room.toLowerCase();
    const state = this.rooms.get(name);
    const members = [...(state?.members ?? [])]
      .sort()
      .map((member) => (this.operates(state, member) ? `@${member}` : member));
    const lines: string[] = [];
    for (let start = 0; start < members.length; start += NAMES_PER_LINE) {
      lines.push(
        this.numeric('353', '=', name, members.slice(start, start + NAMES_PER_LINE).join(' ')),
      );
    }
    lines.push(this.numeric('366', name, 'End of /NAMES list'));
    return lines;
  }

  private mode(target: string, query: string, params: string[] = []): IrcOutput {
    if (!target.startsWith('#')) return { ...nothing(), lines: [this.numeric('221', '+i')] };
    if (/^[+-]/.test(query)) {
      const request = readModeChange(params);
      // MODES=4: what a line asks beyond four changes is not done.
      const out = this.moderate(target, request.acts.slice(0, MODES_PER_LINE), undefined);
      for (const letter of new Set(request.unknown)) {
        out.lines.push(this.numeric('472', letter, 'is not a mode chat has'));
      }
      return out;
    }
    if (query === 'b')
      return { ...nothing(), lines: [this.numeric('368', target, 'End of channel ban list')] };
    return { ...nothing(), lines: [this.numeric('324', target, '+nt')] };
  }

  private who(target: string): IrcOutput {
    const name = target.toLowerCase();
    const members = [...(this.rooms.get(name)?.members ?? [])].sort();
    const lines = members.map((member) =>
      this.numeric(
        '352',
        name,
        member,
        'chat',
        this.options.serverName,
        member,
        'H',
        `0 ${member}`,
      ),
    );
    lines.push(this.numeric('315', target, 'End of /WHO list'));
    return { ...nothing(), lines };
  }

  /** One chat frame from the server. */
  fromServer(frame: ServerFrame): IrcOutput {
    switch (frame.type) {
      case 'welcome':
        return this.welcome(frame);
      case 'joined': {
        const out = this.joined(frame.room, frame.user, frame.state);
        const state = frame.state;
        // Joined later than the hello: the room's newest messages, up to the join, played back.
        if (frame.user === this.nick && state !== undefined && state.lastId > 0) {
          const asked = this.ask('history', frame.room, (ref) => ({
            type: 'history',
            room: frame.room,
            before: state.lastId + 1,
            limit: BACKLOG,
            ref,
          }));
          out.frames.push(...asked.frames);
        }
        return out;
      }
      case 'left': {
        const state = this.rooms.get(frame.room);
        state?.members.delete(frame.user);
        if (frame.user === this.nick) this.rooms.delete(frame.room);
        return {
          ...nothing(),
          lines: [
            this.line('PART', [frame.room, frame.reason], { source: this.source(frame.user) }),
          ],
        };
      }
      case 'topic': {
        const state = this.rooms.get(frame.room);
        if (state !== undefined) state.topic = frame.text;
        return {
          ...nothing(),
          lines: [
            this.line('TOPIC', [frame.room, frame.text], {
              source: this.source(frame.by),
              tags: { time: isoTime(frame.ts) },
            }),
          ],
        };
      }
      case 'msg':
        if (frame.deleted !== undefined || frame.text === '') return nothing();
        return this.message(
          frame.from,
          frame.room,
          frame.room,
          frame.text,
          frame.action === true,
          frame.id,
          frame.ts,
        );
      case 'dm': {
        if (frame.sealed !== undefined) {
          const peer = frame.from === this.nick ? frame.to : frame.from;
          return {
            ...nothing(),
            lines: [
              this.notice(
                `${frame.from} sent a sealed direct message (with ${peer}): IRC cannot open it, read it in chat tui`,
              ),
            ],
          };
        }
        if (frame.deleted !== undefined || frame.text === '') return nothing();
        const target = frame.from === this.nick ? frame.to : this.nick;
        return this.message(
          frame.from,
          target,
          `@${[frame.from, frame.to].sort().join(',')}`,
          frame.text,
          frame.action === true,
          frame.id,
          frame.ts,
        );
      }
      case 'ack':
        return this.ack(frame.ref, frame.id, frame.ts);
      case 'error':
        return this.refused(frame.code, frame.message, frame.ref, frame.fatal === true);
      case 'ping':
        this.pingRefs.add(frame.ref);
        return { ...nothing(), lines: [this.line('PING', [frame.ref])] };
      case 'update':
        return { ...nothing(), lines: this.changed(frame.message) };
      case 'list':
      case 'whois':
      case 'history':
      case 'moderated':
        return this.answered(frame);
      case 'auth':
        if (this.password === undefined) {
          return {
            frames: [],
            lines: [
              `ERROR :${this.options.serverName} asks for your chat password: give it with SASL PLAIN or PASS`,
            ],
            close: 'auth',
          };
        }
        return { frames: [{ type: 'auth', password: this.password }], lines: [] };
      case 'presence':
        if (!this.caps.has('away-notify')) return nothing();
        return {
          ...nothing(),
          lines: [
            this.line('AWAY', frame.status === 'away' ? [frame.text ?? 'away'] : [], {
              source: this.source(frame.user),
            }),
          ],
        };
      default:
        return nothing();
    }
  }

  private operates(state: { ops: Set<string> } | undefined, user: string): boolean {
    return this.operators.has(user) || (state?.ops.has(user) ?? false);
  }

  /** The answer to a LIST, WHOIS or CHATHISTORY, the history after a JOIN, or an operator's act. */
  private answered(
    frame:
      | ServerFrameOf<'list'>
      | ServerFrameOf<'whois'>
      | ServerFrameOf<'history'>
      | ServerFrameOf<'moderated'>,
  ): IrcOutput {
    if (frame.type === 'moderated') return { ...nothing(), lines: this.moderated(frame) };
    if (frame.type === 'history') {
      if (frame.ref !== undefined) this.asked.delete(frame.ref);
      return { ...nothing(), lines: this.playback(frame.room, frame.messages) };
    }
    this.asked.delete(frame.ref);
    if (frame.type === 'list') {
      const lines = frame.rooms.map((room) =>
        this.numeric('322', room.room, String(room.members), room.topic),
      );
      lines.push(
        this.numeric('323', frame.more ? 'End of /LIST (more rooms than shown)' : 'End of /LIST'),
      );
      return { ...nothing(), lines };
    }
    const who = frame.user;
    const lines = [this.numeric('311', who, who, 'chat', '*', who)];
    lines.push(this.numeric('312', who, this.options.serverName, 'chat'));
    if (frame.status === 'away') lines.push(this.numeric('301', who, frame.text ?? 'away'));
    if (!frame.online)
      lines.push(this.numeric('320', who, 'is offline: direct messages wait for them'));
    if (frame.online && frame.idleMs !== undefined) {
      lines.push(this.numeric('317', who, String(Math.floor(frame.idleMs / 1000)), 'seconds idle'));
    }
    for (const fingerprint of frame.fingerprints) {
      lines.push(this.numeric('276', who, `has client certificate fingerprint ${fingerprint}`));
    }
    lines.push(this.numeric('318', who, 'End of /WHOIS list'));
    return { ...nothing(), lines };
  }

  private askRefused(kind: string, target: string, code: string, message: string): string[] {
    switch (kind) {
      case 'whois':
        return [
          this.numeric('401', target, `No such nick: ${message}`),
          this.numeric('318', target, 'End of /WHOIS list'),
        ];
      case 'moderate':
        return [this.numeric('482', target, `You're not channel operator: ${message}`)];
      case 'history':
        return [this.line('FAIL', ['CHATHISTORY', 'MESSAGE_ERROR', target, message])];
      default:
        return [this.notice(`${code}: ${message}`)];
    }
  }

  /** Kept messages, oldest first, as PRIVMSG lines: in a batch when the client takes them. */
  private playback(conversation: string, messages: readonly StoredMessage[]): string[] {
    const batch = this.caps.has('batch') ? `h${this.nextRef++}` : undefined;
    const tags = (message: StoredMessage) => ({
      time: isoTime(message.ts),
      msgid: `${conversation}/${message.id}`,
      ...(batch === undefined ? {} : { batch }),
    });
    const lines: string[] = [];
    for (const message of messages) {
      if (message.deleted !== undefined || message.text === '') continue;
      const target =
        message.type === 'msg' ? message.room : message.from === this.nick ? message.to : this.nick;
      lines.push(
        ...this.privmsgs(
          message.from,
          target,
          message.text,
          message.action === true,
          tags(message),
        ),
      );
    }
    if (batch === undefined || lines.length === 0) return lines;
    return [
      this.line('BATCH', [`+${batch}`, 'chathistory', conversation]),
      ...lines,
      this.line('BATCH', [`-${batch}`]),
    ];
  }

  private moderated(frame: ServerFrameOf<'moderated'>): string[] {
    const source = frame.by === undefined ? this.options.serverName : this.source(frame.by);
    const tags = { time: isoTime(frame.ts) };
    if (frame.room === undefined) {
      const who = frame.user ?? '';
      return [
        this.notice(
          `${who}: ${frame.action} on the whole server${frame.reason ? ` (${frame.reason})` : ''}`,
        ),
      ];
    }
    const state = this.rooms.get(frame.room);
    if (frame.user !== undefined && frame.action === 'op') state?.ops.add(frame.user);
    if (frame.user !== undefined && frame.action === 'deop') state?.ops.delete(frame.user);
    const shown = modeLineFor(frame.action, frame.user);
    if (shown === undefined) return [];
    if (shown.command === 'KICK') {
      const user = frame.user ?? '';
      state?.members.delete(user);
      if (user === this.nick) this.rooms.delete(frame.room);
      return [this.line('KICK', [frame.room, user, frame.reason ?? 'kicked'], { source, tags })];
    }
    return [
      this.line(
        'MODE',
        [frame.room, shown.change, ...(shown.target === undefined ? [] : [shown.target])],
        {
          source,
          tags,
        },
      ),
    ];
  }

  /**
   * A kept message edited or deleted in chat: IRC cannot change a line it
   * showed, so it is told in a notice from the author, in the same place.
   */
  private changed(message: StoredMessage): string[] {
    if (message.type === 'dm' && message.sealed !== undefined) return [];
    const target =
      message.type === 'msg' ? message.room : message.from === this.nick ? message.to : this.nick;
    if (message.type === 'msg' && !this.rooms.has(message.room)) return [];
    const what =
      message.deleted !== undefined
        ? 'deleted a message'
        : `edited a message: ${splitBytes(message.text.split('\n').join(' '), EDIT_SHOWN_BYTES)[0]}`;
    return [
      this.line('NOTICE', [target, what], {
        source: this.source(message.from),
        tags: {
          msgid: `${message.type === 'msg' ? message.room : `@${[message.from, message.to].sort().join(',')}`}/${message.id}`,
        },
      }),
    ];
  }

  /** The message of the day (375, 372 a line, 376), or 422 when there is none. */
  private motdLines(): string[] {
    const motd = this.motd.split(/\r?\n/).filter((text) => text !== '');
    if (motd.length === 0) return [this.numeric('422', 'MOTD File is missing')];
    return [
      this.numeric('375', `- ${this.options.serverName} Message of the day -`),
      ...motd.map((text) => this.numeric('372', `- ${text}`)),
      this.numeric('376', 'End of /MOTD command'),
    ];
  }

  private welcome(frame: Extract<ServerFrame, { type: 'welcome' }>): IrcOutput {
    this.welcomed = true;
    this.operators = new Set(frame.operators ?? []);
    const given = this.nick;
    const registered = given !== '*' && this.userGiven && !this.negotiating;
    this.nick = frame.user;
    const { serverName, version } = this.options;
    const lines: string[] = [];
    if (given !== '*' && given !== frame.user) {
      lines.push(this.line('NICK', [frame.user], { source: this.source(given) }));
    }
    lines.push(
      this.numeric('001', `Welcome to chat, ${frame.user}`),
      this.numeric('002', `Your host is ${serverName}, running chat ${version}`),
      this.numeric('003', 'This server speaks IRC as a gateway to chat'),
      this.numeric('004', serverName, `chat-${version}`, 'i', 'nt'),
      this.numeric(
        '005',
        'CHANTYPES=#',
        'CASEMAPPING=ascii',
        `NICKLEN=${NAME_MAX}`,
        `CHANNELLEN=${CHANNEL_MAX}`,
        `TOPICLEN=${MAX_TOPIC_CHARS}`,
        'MAXTARGETS=1',
        'PREFIX=(o)@',
        `MODES=${MODES_PER_LINE}`,
        'CHANMODES=bq,,,t',
        `CHATHISTORY=${MAX_HISTORY_LIMIT}`,
        'MSGREFTYPES=msgid',
        'NETWORK=chat',
        'are supported by this server',
      ),
    );
    if (given !== frame.user) {
      lines.push(
        this.notice(`Your nick is your certificate's name, ${frame.user} (you asked for ${given})`),
      );
    }
    this.motd = frame.motd;
    lines.push(...this.motdLines());
    for (const room of frame.rooms) lines.push(...this.joined(room.room, frame.user, room).lines);
    const sasl = this.saslWaiting ? this.saslSuccess() : [];
    this.saslWaiting = false;
    if (!registered) {
      this.held = { ...nothing(), lines };
      return { ...nothing(), lines: sasl };
    }
    return { ...nothing(), lines: [...sasl, ...lines] };
  }

  private joined(room: string, user: string, state: RoomState | undefined): IrcOutput {
    const lines = [this.line('JOIN', [room], { source: this.source(user) })];
    if (user === this.nick && state !== undefined) {
      this.joining.delete(room);
      this.rooms.set(room, {
        members: new Set(state.members),
        topic: state.topic,
        ops: new Set(state.ops ?? []),
      });
      if (state.topic !== '') lines.push(this.numeric('332', room, state.topic));
      lines.push(...this.names(room));
    } else {
      this.rooms.get(room)?.members.add(user);
    }
    return { ...nothing(), lines };
  }

  /** A message as PRIVMSG lines, one per line of its text and cut to fit; its own echo as the caps say. */
  private message(
    from: string,
    target: string,
    conversation: string,
    text: string,
    action: boolean,
    id: number,
    ts: number,
  ): IrcOutput {
    if (from === this.nick && this.sentIds.has(id)) return nothing();
    if (from === this.nick) {
      // Ours, come before its ack: known by where it went and what it says.
      const mine = [...this.pending].find(
        ([, sent]) => sent.target === target && sent.text === text && sent.action === action,
      );
      if (mine !== undefined) {
        this.pending.delete(mine[0]);
        this.sent(id);
        if (!this.caps.has('echo-message')) return nothing();
      }
    }
    return {
      ...nothing(),
      lines: this.privmsgs(from, target, text, action, {
        time: isoTime(ts),
        msgid: `${conversation}/${id}`,
      }),
    };
  }

  private privmsgs(
    from: string,
    target: string,
    text: string,
    action: boolean,
    tags: Record<string, string>,
  ): string[] {
    const source = this.source(from);
    const head = Buffer.byteLength(`:${source} PRIVMSG ${target} :`) + (action ? 9 : 0);
    const lines: string[] = [];
    for (const row of text.split('\n')) {
      for (const piece of splitBytes(row === '' ? ' ' : row, LINE_BYTES - head)) {
        lines.push(
          this.line('PRIVMSG', [target, action ? `\u0001ACTION ${piece}\u0001` : piece], {
            source,
            tags,
          }),
        );
      }
    }
    return lines;
  }

  private sent(id: number): void {
    if (this.sentIds.size >= SENT_IDS) this.sentIds.delete(this.sentIds.values().next().value ?? 0);
    this.sentIds.add(id);
  }

  private ack(ref: string, id: number, ts: number): IrcOutput {
    const sent = this.pending.get(ref);
    if (sent === undefined) return nothing();
    this.pending.delete(ref);
    this.sent(id);
    if (!this.caps.has('echo-message')) return nothing();
    const conversation = sent.target.startsWith('#')
      ? sent.target
      : `@${[this.nick, sent.target].sort().join(',')}`;
    return {
      ...nothing(),
      lines: this.privmsgs(this.nick, sent.target, sent.text, sent.action, {
        time: isoTime(ts),
        msgid: `${conversation}/${id}`,
      }),
    };
  }

  private refused(
    code: string,
    message: string,
    ref: string | undefined,
    fatal: boolean,
  ): IrcOutput {
    if (fatal) {
      const sasl = this.saslWaiting
        ? [this.numeric('904', `SASL authentication failed: ${message}`)]
        : [];
      return {
        frames: [],
        lines: [...sasl, `ERROR :${message.replace(LINE_BREAKERS, ' ')}`],
        close: code,
      };
    }
    const asked = ref === undefined ? undefined : this.asked.get(ref);
    if (ref !== undefined && asked !== undefined) {
      this.asked.delete(ref);
      return { ...nothing(), lines: this.askRefused(asked.kind, asked.target, code, message) };
    }
    const sent = ref === undefined ? undefined : this.pending.get(ref);
    if (ref !== undefined) this.pending.delete(ref);
    if (sent?.target.startsWith('#')) {
      return {
        ...nothing(),
        lines: [this.numeric('404', sent.target, `Cannot send to channel: ${message}`)],
      };
    }
    if (sent !== undefined)
      return { ...nothing(), lines: [this.numeric('401', sent.target, message)] };
    return { ...nothing(), lines: [this.notice(`${code}: ${message}`)] };
  }
}
