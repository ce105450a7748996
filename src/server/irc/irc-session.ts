/**
 * One IRC client's session, as a translator between IRC and the chat
 * protocol: IRC lines become the chat frames a chat client would send, and
 * the server's chat frames become IRC lines. The server sees an ordinary
 * chat connection, so its rules (membership, rate limits, text limits,
 * history) hold for IRC clients unchanged. The user is the client
 * certificate's name, never the NICK. Pure: no sockets, no clock.
 *
 * This file routes each line and frame and keeps the session's parts
 * together; the modules beside it do the work of each.
 */
import type {
  ClientFrame,
  RoomState,
  ServerFrame,
  ServerFrameOf,
  StoredMessage,
} from '../../net/protocol/frames.ts';
import { USER_PATTERN } from '../../net/protocol/frames.ts';
import { listLines, noSuchNickLines, refusedRequestLines, whoisLines } from './irc-answers.ts';
import { awayCommand, presenceLines } from './irc-away.ts';
import {
  joinCommand,
  joinedLines,
  leftLines,
  namesCommand,
  partCommand,
  topicCommand,
  topicSetLines,
  whoCommand,
} from './irc-channels.ts';
import { historyAfterJoin, historyCommand, playbackLines } from './irc-history.ts';
import { type Asking, type ChatRequest, InFlight } from './irc-in-flight.ts';
import type { ParsedLine } from './irc-line.ts';
import {
  changedLines,
  conversationOf,
  dmConversation,
  messageTags,
  privmsgLines,
  sayCommand,
  sealedNotice,
  targetOf,
} from './irc-messages.ts';
import { modeCommand, moderatedLines, moderationRequests } from './irc-moderation.ts';
import { type IrcOutput, nothing, said } from './irc-output.ts';
import { Registration } from './irc-registration.ts';
import { RoomBook } from './irc-rooms.ts';
import { oneLine } from './irc-text.ts';
import { motdLines, welcomeLines } from './irc-welcome.ts';
import { type Addressee, ircLine, notice, numeric } from './irc-write.ts';

// The socket takes what a session gives from here, as it did before the parts were split out.
export type { IrcOutput } from './irc-output.ts';

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

/**
 * The state of one IRC client: its registration and capabilities, the
 * rooms it is in, and what it sent that waits for an answer.
 */
export class IrcSession {
  private readonly registration: Registration;
  private readonly rooms = new RoomBook();
  private readonly inFlight = new InFlight();
  private nextRef = 1;
  private motd = '';

  constructor(private readonly options: IrcSessionOptions) {
    this.registration = new Registration(options.user, options.serverName);
  }

  private get nick(): string {
    return this.registration.nick;
  }

  private get to(): Addressee {
    return this.registration.to;
  }

  /** A ref no other connection of the user has used: the server takes a ref seen before as a resend. */
  private newRef(): string {
    return `irc-${this.options.refPrefix}-${this.nextRef++}`;
  }

  /** A line that could not be read (too long, not UTF-8…): said, and dropped. */
  refusedLine(why: string): IrcOutput {
    return said([ircLine(this.to, 'NOTICE', [this.nick, `line dropped: ${why}`])]);
  }

  /** One IRC line from the client. */
  fromClient(message: ParsedLine): IrcOutput {
    const [first = '', second = ''] = message.params;
    switch (message.command) {
      case 'CAP':
        return this.registration.cap(first.toUpperCase(), message.params.slice(1));
      case 'AUTHENTICATE':
        return this.registration.authenticate(first);
      case 'NICK':
        return this.registration.nickGiven(first);
      case 'USER':
        return this.registration.userSaid();
      case 'PING':
        return said([ircLine(this.to, 'PONG', [this.options.serverName, first])]);
      case 'PONG': {
        const ref = second || first;
        if (!this.inFlight.ponged(ref)) return nothing();
        return { frames: [{ type: 'pong', ref }], lines: [] };
      }
      case 'PASS':
        this.registration.pass(message.params.at(-1));
        return nothing();
      case 'QUIT':
        return { frames: [], lines: [`ERROR :Closing link: ${first || 'quit'}`], close: 'quit' };
    }
    if (!this.registration.welcomed) {
      return said([numeric(this.to, '451', 'You have not registered')]);
    }
    switch (message.command) {
      case 'JOIN':
        return joinCommand(first, this.rooms, this.to);
      case 'PART':
        return partCommand(first, this.rooms, this.to);
      case 'PRIVMSG':
      case 'NOTICE':
        return this.say(message.command, first, second);
      case 'TOPIC':
        return topicCommand(
          first,
          message.params.length > 1 ? second : undefined,
          this.rooms,
          this.to,
        );
      case 'NAMES':
        return said(first === '' ? [] : namesCommand(first, this.rooms, this.to));
      case 'MOTD':
        return said(motdLines(this.to, this.motd));
      case 'MODE':
        return this.asking(modeCommand(first, second, message.params.slice(1), this.to));
      case 'WHO':
        return said(whoCommand(first, this.rooms, this.to));
      case 'LIST':
        return this.ask({ kind: 'list', target: '', frame: (ref) => ({ type: 'list', ref }) });
      case 'WHOIS': {
        const user = (second || first).toLowerCase();
        if (!USER_PATTERN.test(user)) return said(noSuchNickLines(this.to, user));
        return this.ask({
          kind: 'whois',
          target: user,
          frame: (ref) => ({ type: 'whois', user, ref }),
        });
      }
      case 'AWAY':
        return awayCommand(first, this.to);
      case 'KICK': {
        const acts = [{ action: 'kick' as const, user: second.toLowerCase() }];
        return this.asking(moderationRequests(first, acts, message.params[2], this.to));
      }
      case 'CHATHISTORY':
        return this.asking(historyCommand(message.params, this.to));
      default:
        return said([numeric(this.to, '421', message.command, 'Unknown command')]);
    }
  }

  private say(command: string, target: string, raw: string): IrcOutput {
    const newRef = () => this.newRef();
    const { output, sent } = sayCommand(command, target, raw, this.rooms, this.to, newRef);
    if (sent !== undefined) this.inFlight.sending(sent.ref, sent.message);
    return output;
  }

  /** A chat request whose answer comes back with a new ref. */
  private ask(request: ChatRequest): IrcOutput {
    return this.asking({ lines: [], requests: [request] });
  }

  /** Lines for the client, and the requests, each with a new ref, for the server. */
  private asking({ lines, requests }: Asking): IrcOutput {
    const frames = requests.map((request): ClientFrame => {
      const ref = this.newRef();
      this.inFlight.ask(ref, { kind: request.kind, target: request.target });
      return request.frame(ref);
    });
    return { frames, lines };
  }

  /** One chat frame from the server. */
  fromServer(frame: ServerFrame): IrcOutput {
    switch (frame.type) {
      case 'welcome':
        return this.welcome(frame);
      case 'joined': {
        const out = said(this.joined(frame.room, frame.user, frame.state));
        const lastId = frame.state?.lastId ?? 0;
        // Joined later than the hello: the room's newest messages, up to the join, played back.
        if (frame.user === this.nick && frame.state !== undefined && lastId > 0) {
          out.frames.push(...this.ask(historyAfterJoin(frame.room, lastId)).frames);
        }
        return out;
      }
      case 'left':
        return said(leftLines(frame, frame.user === this.nick, this.rooms, this.to));
      case 'topic':
        return said(topicSetLines(frame, this.rooms, this.to));
      case 'msg':
        if (frame.deleted !== undefined || frame.text === '') return nothing();
        return this.message(frame);
      case 'dm':
        if (frame.sealed !== undefined) return said([sealedNotice(this.to, frame)]);
        if (frame.deleted !== undefined || frame.text === '') return nothing();
        return this.message(frame);
      case 'ack':
        return this.ack(frame.ref, frame.id, frame.ts);
      case 'error':
        return this.refused(frame.code, frame.message, frame.ref, frame.fatal === true);
      case 'ping':
        this.inFlight.pinged(frame.ref);
        return said([ircLine(this.to, 'PING', [frame.ref])]);
      case 'update':
        // A room's message changed where the client is not: it never saw it.
        if (frame.message.type === 'msg' && !this.rooms.has(frame.message.room)) return nothing();
        return said(changedLines(this.to, frame.message));
      case 'list':
        this.inFlight.answered(frame.ref);
        return said(listLines(this.to, frame));
      case 'whois':
        this.inFlight.answered(frame.ref);
        return said(whoisLines(this.to, frame));
      case 'history':
        if (frame.ref !== undefined) this.inFlight.answered(frame.ref);
        return said(this.playback(frame.room, frame.messages));
      case 'moderated':
        if (frame.room !== undefined && frame.user !== undefined) {
          this.rooms.acted(frame.room, frame.action, frame.user, frame.user === this.nick);
        }
        return said(moderatedLines(this.to, frame));
      case 'auth':
        return this.registration.passwordAsked();
      case 'presence':
        return said(presenceLines(this.to, frame));
      default:
        return nothing();
    }
  }

  private welcome(frame: ServerFrameOf<'welcome'>): IrcOutput {
    this.rooms.setOperators(frame.operators ?? []);
    this.motd = frame.motd;
    return this.registration.welcome(frame.user, (given) => {
      const lines = [
        ...welcomeLines(this.to, given, this.options.version),
        ...motdLines(this.to, this.motd),
      ];
      for (const room of frame.rooms) lines.push(...this.joined(room.room, frame.user, room));
      return lines;
    });
  }

  private joined(room: string, user: string, state: RoomState | undefined): string[] {
    return joinedLines(room, user, state, user === this.nick, this.rooms, this.to);
  }

  /** Kept messages, oldest first: in a batch of their own when the client takes batches. */
  private playback(conversation: string, messages: readonly StoredMessage[]): string[] {
    const batch = this.to.caps.has('batch') ? `h${this.nextRef++}` : undefined;
    return playbackLines(this.to, conversation, messages, batch);
  }

  /** A message said in chat, as PRIVMSG lines; the client's own echoed only as its caps say. */
  private message(message: StoredMessage): IrcOutput {
    const action = message.action === true;
    const target = targetOf(message, this.nick);
    if (message.from === this.nick) {
      if (this.inFlight.seen(message.id)) return nothing();
      // Ours, come before its ack: known by where it went and what it says.
      const mine = this.inFlight.claim(target, message.text, action, message.id);
      if (mine && !this.to.caps.has('echo-message')) return nothing();
    }
    const tags = messageTags(conversationOf(message), message.id, message.ts);
    return said(privmsgLines(this.to, message.from, target, message.text, action, tags));
  }

  private ack(ref: string, id: number, ts: number): IrcOutput {
    const sent = this.inFlight.acked(ref, id);
    if (sent === undefined || !this.to.caps.has('echo-message')) return nothing();
    const conversation = sent.target.startsWith('#')
      ? sent.target
      : dmConversation(this.nick, sent.target);
    const tags = messageTags(conversation, id, ts);
    return said(privmsgLines(this.to, this.nick, sent.target, sent.text, sent.action, tags));
  }

  private refused(
    code: string,
    message: string,
    ref: string | undefined,
    fatal: boolean,
  ): IrcOutput {
    if (fatal) {
      const lines = [...this.registration.closing(message), `ERROR :${oneLine(message)}`];
      return { frames: [], lines, close: code };
    }
    const asked = ref === undefined ? undefined : this.inFlight.answered(ref);
    if (asked !== undefined) {
      return said(refusedRequestLines(this.to, asked.kind, asked.target, code, message));
    }
    const sent = ref === undefined ? undefined : this.inFlight.refused(ref);
    if (sent?.target.startsWith('#')) {
      return said([numeric(this.to, '404', sent.target, `Cannot send to channel: ${message}`)]);
    }
    if (sent !== undefined) return said([numeric(this.to, '401', sent.target, message)]);
    return said([notice(this.to, `${code}: ${message}`)]);
  }
}
