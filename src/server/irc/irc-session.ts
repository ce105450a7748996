/**
 * One IRC client's session, as a translator between IRC and the chat
 * protocol: IRC lines become the chat frames a chat client would send, and
 * the server's chat frames become IRC lines. The server sees an ordinary
 * chat connection, so its rules (membership, rate limits, text limits,
 * history) hold for IRC clients unchanged. The user is the client
 * certificate's name, never the NICK. Pure: no sockets, no clock.
 */
import type { ClientFrame, RoomState, ServerFrame } from '../../net/protocol/frames.ts';
import { ROOM_PATTERN, USER_PATTERN } from '../../net/protocol/frames.ts';
import { ctcp, type ParsedLine, serializeIrcLine } from './irc-line.ts';

/** The capabilities offered (IRCv3), with what CAP LS 302 says of each. */
const CAPABILITIES: Record<string, string> = {
  'server-time': '',
  'message-tags': '',
  'echo-message': '',
  'away-notify': '',
  sasl: 'EXTERNAL',
};
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
  private readonly rooms = new Map<string, { members: Set<string>; topic: string }>();
  private readonly pending = new Map<string, Pending>();
  /** Ids of messages this connection sent, whose echo is its own to show or not. */
  private readonly sentIds = new Set<number>();
  private readonly pingRefs = new Set<string>();
  private nextRef = 1;

  constructor(private readonly options: IrcSessionOptions) {}

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
      if (this.caps.has('message-tags') || (name === 'time' && this.caps.has('server-time'))) {
        tags[name] = value;
      }
    }
    return serializeIrcLine({
      ...(Object.keys(tags).length > 0 ? { tags } : {}),
      source: extra.source ?? this.options.serverName,
      command,
      params,
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
        return nothing();
      case 'MODE':
        return this.mode(first, second);
      case 'WHO':
        return this.who(first);
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
  private authenticate(argument: string): IrcOutput {
    if (argument.toUpperCase() === 'EXTERNAL') return { ...nothing(), lines: ['AUTHENTICATE +'] };
    if (argument === '+' || argument === '*') {
      if (argument === '*')
        return { ...nothing(), lines: [this.numeric('906', 'SASL authentication aborted')] };
      const user = this.options.user;
      return {
        ...nothing(),
        lines: [
          this.numeric('900', this.source(user), user, `You are now logged in as ${user}`),
          this.numeric('903', 'SASL authentication successful'),
        ],
      };
    }
    return {
      ...nothing(),
      lines: [
        this.numeric('908', 'EXTERNAL', 'are available SASL mechanisms'),
        this.numeric('904', 'SASL authentication failed: only EXTERNAL (your certificate)'),
      ],
    };
  }

  // Registered once NICK and USER came and capability talk ended: the chat hello goes.
  private register(): IrcOutput {
    if (this.helloSent || this.nick === '*' || !this.userGiven || this.negotiating)
      return nothing();
    this.helloSent = true;
    return { frames: [{ type: 'hello', v: 1, client: 'irc' }], lines: [] };
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
    const ref = `irc-${this.options.refPrefix}-${this.nextRef++}`;
    const name = target.toLowerCase();
    if (name.startsWith('#')) {
      if (!this.rooms.has(name))
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
    const members = [...(this.rooms.get(name)?.members ?? [])].sort();
    const lines: string[] = [];
    for (let start = 0; start < members.length; start += NAMES_PER_LINE) {
      lines.push(
        this.numeric('353', '=', name, members.slice(start, start + NAMES_PER_LINE).join(' ')),
      );
    }
    lines.push(this.numeric('366', name, 'End of /NAMES list'));
    return lines;
  }

  private mode(target: string, query: string): IrcOutput {
    if (!target.startsWith('#')) return { ...nothing(), lines: [this.numeric('221', '+i')] };
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
      case 'joined':
        return this.joined(frame.room, frame.user, frame.state);
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

  private welcome(frame: Extract<ServerFrame, { type: 'welcome' }>): IrcOutput {
    this.welcomed = true;
    const given = this.nick;
    this.nick = frame.user;
    const { serverName, version } = this.options;
    const lines: string[] = [];
    if (given !== frame.user)
      lines.push(this.line('NICK', [frame.user], { source: this.source(given) }));
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
        `TOPICLEN=${frame.limits.maxTextChars}`,
        'MAXTARGETS=1',
        'NETWORK=chat',
        'are supported by this server',
      ),
    );
    if (given !== frame.user) {
      lines.push(
        this.notice(`Your nick is your certificate's name, ${frame.user} (you asked for ${given})`),
      );
    }
    const motd = frame.motd.split('\n').filter((text) => text !== '');
    if (motd.length === 0) lines.push(this.numeric('422', 'MOTD File is missing'));
    else {
      lines.push(this.numeric('375', `- ${serverName} Message of the day -`));
      for (const text of motd) lines.push(this.numeric('372', `- ${text}`));
      lines.push(this.numeric('376', 'End of /MOTD command'));
    }
    for (const room of frame.rooms) lines.push(...this.joined(room.room, frame.user, room).lines);
    return { ...nothing(), lines };
  }

  private joined(room: string, user: string, state: RoomState | undefined): IrcOutput {
    const lines = [this.line('JOIN', [room], { source: this.source(user) })];
    if (user === this.nick && state !== undefined) {
      this.rooms.set(room, { members: new Set(state.members), topic: state.topic });
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
        this.sentIds.add(id);
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

  private ack(ref: string, id: number, ts: number): IrcOutput {
    const sent = this.pending.get(ref);
    if (sent === undefined) return nothing();
    this.pending.delete(ref);
    this.sentIds.add(id);
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
    if (fatal) return { frames: [], lines: [`ERROR :${message}`], close: code };
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
