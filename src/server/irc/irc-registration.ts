/**
 * One IRC client's registration, up to the server's welcome: NICK, USER
 * and PASS, capability negotiation (CAP) and SASL (AUTHENTICATE). The chat
 * hello goes once NICK and USER came and CAP talk ended, or at once for
 * SASL PLAIN, whose password the server asks for after hello; a welcome
 * that comes before the client finished is held until it has. Also keeps
 * what it settles: the nick, the capabilities taken, the password. Pure.
 */
import { answerCap } from './irc-caps.ts';
import { BACKLOG } from './irc-history.ts';
import { type IrcOutput, nothing, said } from './irc-output.ts';
import { answerAuthenticate, type SaslMechanism, saslFailed, saslSucceeded } from './irc-sasl.ts';
import { type Addressee, numeric } from './irc-write.ts';

/** A NICK that can stand in a source (`nick!user@host`) until the certificate's name replaces it. */
const NICK_PATTERN = /^[A-Za-z0-9_\-[\]\\`^{}|]{1,32}$/;

/** Where one client stands in registering, and what it settled. */
export class Registration {
  private nickname = '*';
  private userGiven = false;
  private negotiating = false;
  private helloSent = false;
  private isWelcomed = false;
  private taken: ReadonlySet<string> = new Set();
  /** A password from PASS or SASL PLAIN, for a server that asks for one (`auth`). */
  private password: string | undefined;
  /** The SASL mechanism under way. */
  private mechanism: SaslMechanism | undefined;
  /** SASL PLAIN's answer waits for the server's verdict on the password. */
  private saslWaiting = false;
  /** The welcome, come before the client finished registering: given when it has. */
  private held: IrcOutput | undefined;

  /** `user` is the client certificate's name; `serverName` the server's in IRC replies. */
  constructor(
    private readonly user: string,
    private readonly serverName: string,
  ) {}

  /** What NICK said until the welcome (`*` before it), then the certificate's name. */
  get nick(): string {
    return this.nickname;
  }

  /** The capabilities the client took. */
  get caps(): ReadonlySet<string> {
    return this.taken;
  }

  /** The server welcomed the client: the commands past registration are open. */
  get welcomed(): boolean {
    return this.isWelcomed;
  }

  /** Who the lines go to, as things stand: the nick and capabilities change as registration goes. */
  get to(): Addressee {
    return { serverName: this.serverName, nick: this.nickname, caps: this.taken };
  }

  /** `NICK nick`: taken until the welcome names the client; after it, only the same name. */
  nickGiven(nick: string): IrcOutput {
    if (nick === '') return said([numeric(this.to, '431', 'No nickname given')]);
    if (!NICK_PATTERN.test(nick))
      return said([numeric(this.to, '432', nick, 'Erroneous nickname')]);
    if (!this.isWelcomed) this.nickname = nick;
    return this.isWelcomed && nick !== this.nickname
      ? said([
          numeric(this.to, '432', nick, `Your nick is your certificate's name: ${this.nickname}`),
        ])
      : this.register();
  }

  /** `USER …`: what it says does not matter, the certificate named the user. */
  userSaid(): IrcOutput {
    this.userGiven = true;
    return this.register();
  }

  /** `PASS password`, kept for a server that asks for one; too late once welcomed. */
  pass(password: string | undefined): void {
    if (!this.isWelcomed) this.password = password;
  }

  /** `CAP sub args…` (`sub` upper-cased). */
  cap(sub: string, args: readonly string[]): IrcOutput {
    if (sub === 'END') {
      this.negotiating = false;
      return this.register();
    }
    // Until registered, the client is `*` to CAP (a NICK given is not yet its nick).
    const name = this.isWelcomed ? this.nickname : '*';
    const answer = answerCap(sub, args, this.taken, this.to, name);
    if (answer.negotiates && !this.isWelcomed) this.negotiating = true;
    this.taken = answer.caps;
    return said(answer.lines);
  }

  /** `AUTHENTICATE argument`. */
  authenticate(argument: string): IrcOutput {
    const step = answerAuthenticate(argument, this.mechanism, this.user, this.to);
    this.mechanism = step.mechanism;
    if (step.password === undefined) return said(step.lines);
    this.password = step.password;
    // Told a success only once the server took the password: the hello goes now.
    this.saslWaiting = true;
    return this.sendHello();
  }

  /**
   * The server's welcome to `user`: the nick becomes the certificate's name,
   * and what `welcome` writes for the nick given before it is told now, or
   * held until the client finished registering. SASL PLAIN's success first.
   */
  welcome(user: string, welcome: (given: string) => string[]): IrcOutput {
    this.isWelcomed = true;
    const given = this.nickname;
    const registered = this.ready();
    this.nickname = user;
    const lines = welcome(given);
    const sasl = this.saslWaiting ? saslSucceeded(this.to, this.user) : [];
    this.saslWaiting = false;
    if (!registered) {
      this.held = said(lines);
      return said(sasl);
    }
    return said([...sasl, ...lines]);
  }

  /** The server asks for the user's chat password (`auth`): given, or the connection closes. */
  passwordAsked(): IrcOutput {
    if (this.password === undefined) {
      return {
        frames: [],
        lines: [
          `ERROR :${this.serverName} asks for your chat password: give it with SASL PLAIN or PASS`,
        ],
        close: 'auth',
      };
    }
    return { frames: [{ type: 'auth', password: this.password }], lines: [] };
  }

  /** The server closes with `message`: SASL PLAIN told it failed, when that was the cause. */
  closing(message: string): string[] {
    return this.saslWaiting ? [saslFailed(this.to, message)] : [];
  }

  /** NICK and USER came and capability talk ended. */
  private ready(): boolean {
    return this.nickname !== '*' && this.userGiven && !this.negotiating;
  }

  // Registered once NICK and USER came and capability talk ended: the chat hello goes.
  private register(): IrcOutput {
    if (!this.ready()) return nothing();
    // A welcome that came first (SASL PLAIN sent the hello early) is given now.
    const held = this.held;
    this.held = undefined;
    if (held !== undefined) return held;
    return this.sendHello();
  }

  // The newest messages of each room come after its JOIN, as a bouncer plays them back.
  private sendHello(): IrcOutput {
    if (this.helloSent) return nothing();
    this.helloSent = true;
    return { frames: [{ type: 'hello', v: 1, client: 'irc', backlog: BACKLOG }], lines: [] };
  }
}
