import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import tls, { type TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import { ChatError } from '../errors.ts';
import { parseClientFrame } from '../net/protocol/codec.ts';
import type { ErrorCode } from '../net/protocol/error-codes.ts';
import {
  type ClientFrame,
  type HelloFrame,
  PROTOCOL_VERSION,
  type ServerFrame,
  type StoredMessage,
  USER_PATTERN,
} from '../net/protocol/frames.ts';
import { TokenBucket } from '../net/token-bucket.ts';
import { readCrl } from '../pki/crl.ts';
import { normalizeSerial } from '../pki/keys.ts';
import { AddressCounts } from './address-counts.ts';
import { ByteBudget } from './byte-budget.ts';
import { ChatCore, type Effect } from './chat-core.ts';
import { Connection, type ConnectionInfo, toWire } from './connection.ts';
import { HandshakeShell } from './handshake-shell.ts';
import type { HistoryStore } from './history/history-store.ts';
import { LoginGuard } from './login-guard.ts';
import { RateMeter } from './rate-meter.ts';
import { maxMessageBytes, ReadPump } from './read-pump.ts';
import { DEFAULT_ROOM, type ServerConfig } from './server-config.ts';
import type { ServerTls } from './tls-options.ts';
import { UsersBook, usersPath } from './users-file.ts';

/** A snapshot of the server for a dashboard: read it, never parse logs. */
export interface ServerStats {
  startedAt: number;
  address: string;
  port: number;
  tlsMin: string;
  caFingerprint: string;
  connections: ConnectionInfo[];
  peakConnections: number;
  rooms: Array<{ room: string; members: number; lastId: number }>;
  totalMessages: number;
  /** Messages stored per second, mean of the last 5 s. */
  messagesPerSecond: number;
  /** Messages per second over the last minute, oldest first. */
  messageSeries: number[];
  memoryBytes: number;
}

/** Events a ChatServer emits besides the log. */
export interface ChatServerEvents {
  connect: [ConnectionInfo];
  disconnect: [ConnectionInfo & { reason: string }];
}

/** What a ChatServer is built from; the clock is injectable for tests. */
export interface ChatServerDeps {
  config: ServerConfig;
  tls: ServerTls;
  store: HistoryStore;
  logger: Logger;
  serverName: string;
  now?: () => number;
}

/** A connection between its hello and its welcome, on a server that requires passwords. */
interface Login {
  hello: HelloFrame;
  /** Its password is being checked: nothing more is read until the answer. */
  checking: boolean;
}

/** Longest operator reason a kick carries, in characters (code points). */
const MAX_KICK_REASON_CHARS = 200;

/** How long a closing connection may take to flush its goodbye before it is destroyed, in ms. */
const CLOSE_GRACE_MS = 1_000;
/** Sends remembered per user by ref, so a resend is acknowledged as its original. */
const REF_MEMORY = 1_000;

/**
 * The TLS broadcast server: owns the sockets, timers and history store, and
 * runs every frame through ChatCore, whose effects it carries out.
 */
export class ChatServer extends EventEmitter<ChatServerEvents> {
  private readonly core: ChatCore;
  /** Never listens itself: the shell accepts and hands it the sockets it admits. */
  private readonly server: tls.Server;
  /** Accepts, caps and times the sockets not yet through TLS, and logs failed handshakes. */
  private readonly shell: HandshakeShell;
  private readonly conns = new Map<number, Connection>();
  private readonly appendChains = new Map<string, Promise<void>>();
  /** Connections not closing, in all and per address, for the caps. */
  private readonly live = new AddressCounts();
  private readonly errorBudgets = new WeakMap<Connection, TokenBucket>();
  private readonly pumps = new WeakMap<Connection, ReadPump>();
  /** Bytes of replays and history pages queued and not yet written, server-wide. */
  private readonly readBudget: ByteBudget;
  private readonly meter = new RateMeter(60);
  private readonly now: () => number;
  /** The passwords, with --require-password. */
  private readonly users: UsersBook | undefined;
  private readonly guard: LoginGuard;
  private readonly logins = new WeakMap<Connection, Login>();
  private nextConnId = 1;
  private totalMessages = 0;
  private peakConnections = 0;
  private startedAt = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private closing = false;

  /** The TLS material in use: the one given, then each reloaded one. */
  private tls: ServerTls;
  /** Serials (normalised) the CRL in force revokes, and its number (-1: no CRL). */
  private revoked = new Set<string>();
  private crlNumber = -1;

  constructor(private readonly deps: ChatServerDeps) {
    super();
    this.tls = deps.tls;
    const crl = deps.tls.options.crl;
    if (typeof crl === 'string') {
      let contents: ReturnType<typeof readCrl>;
      try {
        contents = readCrl(crl);
      } catch (cause) {
        throw new ChatError(
          'CERT_UNREADABLE',
          `${deps.config.certsDir}/crl.pem is not a readable CRL`,
          {
            hint: 'restore it from your backup, then revoke again anyone it listed',
            cause,
          },
        );
      }
      this.revoked = new Set(contents.revocations.map((r) => normalizeSerial(r.serial)));
      this.crlNumber = contents.number;
    }
    const { config } = deps;
    this.now = deps.now ?? Date.now;
    this.readBudget = new ByteBudget(config.readBudgetBytes);
    this.users = config.requirePassword
      ? new UsersBook(usersPath(config.dataDir), deps.logger)
      : undefined;
    this.guard = new LoginGuard({
      maxFailures: config.maxAuthFailures,
      lockMs: config.authLockMs,
    });
    this.core = new ChatCore({
      serverName: deps.serverName,
      motd: config.motd,
      defaultRoom: DEFAULT_ROOM,
      limits: {
        maxFrameBytes: config.maxFrameBytes,
        maxTextChars: config.maxTextChars,
        ratePerSecond: config.ratePerSecond,
        rateBurst: config.rateBurst,
        maxHistory: config.maxHistory,
      },
      maxDevicesPerUser: config.maxPerUser,
      violationBurst: config.rateBurst,
      violationRefillPerSecond: config.ratePerSecond,
      refMemory: REF_MEMORY,
      maxRoomsPerUser: config.maxRoomsPerUser,
      maxRooms: config.maxRooms,
      maxRoomsCreatedPerHour: config.maxRoomsCreatedPerHour,
      epoch: deps.store.epoch,
    });
    try {
      this.server = tls.createServer({
        ...deps.tls.options,
        // The shell's deadline, counted from accept, comes first; this one is node's own.
        handshakeTimeout: config.handshakeTimeoutMs,
      });
    } catch (cause) {
      throw new ChatError(
        'CERT_UNREADABLE',
        `cannot use the server certificate: ${String(cause)}`,
        {
          hint: 'check that server.key belongs to server.crt, or re-issue them with `chat certs server`',
          cause,
        },
      );
    }
    this.shell = new HandshakeShell({
      tlsServer: this.server,
      caps: config,
      timeoutMs: config.handshakeTimeoutMs,
      logIntervalMs: config.handshakeLogMs,
      logger: deps.logger,
      now: this.now,
      onSecure: (socket, acceptedAt) => this.onSecureConnection(socket, acceptedAt),
    });
  }

  /** Starts listening; resolves with the bound address. */
  async listen(): Promise<AddressInfo> {
    const { config, store } = this.deps;
    for (const [conversation, id] of await store.lastIds()) this.core.seedLastId(conversation, id);
    for (const sent of await store.recentRefs(REF_MEMORY))
      this.core.seedRef(sent.user, sent.ref, sent.conversation, sent.id, sent.ts);
    // Before the port opens: a missing or garbled users file stops the start.
    await this.users?.load();
    const address = await this.shell
      .listen(config.port, config.host)
      .catch((error: NodeJS.ErrnoException) => {
        throw listenError(error, config);
      });
    this.startedAt = this.now();
    const shortest = Math.min(config.idlePingMs, config.stallTimeoutMs);
    const tick = Math.max(10, Math.min(5_000, Math.floor(shortest / 4)));
    this.idleTimer = setInterval(() => this.checkIdle(), tick);
    this.idleTimer.unref();
    this.deps.logger.info(
      {
        address: address.address,
        port: address.port,
        tlsMin: config.tlsMin,
        caFingerprint: this.tls.caFingerprint,
        crl: this.tls.crlLoaded,
        ...(this.users ? { requirePassword: true, users: this.users.size } : {}),
        pid: process.pid,
      },
      'listening',
    );
    if (!this.tls.crlLoaded) {
      this.deps.logger.warn(
        { certsDir: config.certsDir },
        'no crl.pem: revoked certificates are not refused (run `chat certs` to make one)',
      );
    }
    return address;
  }

  /**
   * Closes gracefully: stops accepting, tells every client the server is
   * going away, waits briefly for the goodbyes to flush, then destroys what is left.
   */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    clearInterval(this.idleTimer);
    // Cuts the sockets still in their handshake: they have no one to say goodbye to.
    const stopped = this.shell.stop();
    for (const conn of this.conns.values())
      this.fail(conn, 'server_shutdown', 'the server is shutting down');
    const grace = delay(CLOSE_GRACE_MS);
    await Promise.race([
      Promise.all([...this.conns.values()].map((c) => waitClosed(c.socket))),
      grace.done,
    ]);
    grace.cancel();
    for (const conn of this.conns.values()) conn.socket.destroy();
    await stopped;
    await Promise.all([...this.appendChains.values()]);
    await this.deps.store.close();
    this.deps.logger.info({}, 'stopped');
  }

  /**
   * Takes new TLS material, in practice a new CRL: new handshakes use it at
   * once, and live sessions whose client certificate it revokes are closed,
   * each told why (`cert_rejected`; the reference client does not retry).
   * Returns the number of sessions closed.
   */
  reloadTls(tls: ServerTls): number {
    const crl = tls.options.crl;
    // Never a step back: a CRL gone, or older than the one in force, would
    // let revoked certificates in again.
    if (typeof crl !== 'string') {
      if (this.crlNumber >= 0) throw new Error('crl.pem is gone');
      return 0;
    }
    const contents = readCrl(crl);
    if (contents.number < this.crlNumber) {
      throw new Error(
        `crl.pem is older (number ${contents.number}) than the one in force (${this.crlNumber})`,
      );
    }
    const revoked = new Set(contents.revocations.map((r) => normalizeSerial(r.serial)));
    this.server.setSecureContext(tls.options);
    this.tls = tls;
    this.revoked = revoked;
    this.crlNumber = contents.number;
    let closed = 0;
    for (const conn of this.conns.values()) {
      const serial = conn.certificate?.serial;
      if (conn.closing || serial === undefined || !revoked.has(normalizeSerial(serial))) continue;
      this.deps.logger.info(
        { conn: conn.id, address: conn.address, user: conn.user, serial },
        'certificate revoked: closing its session',
      );
      this.fail(conn, 'cert_rejected', 'your certificate was revoked');
      closed += 1;
    }
    this.deps.logger.info({ revoked: revoked.size, closed }, 'crl reloaded');
    return closed;
  }

  stats(): ServerStats {
    const now = this.now();
    const address = this.shell.address();
    return {
      startedAt: this.startedAt,
      address: address?.address ?? this.deps.config.host,
      port: address?.port ?? this.deps.config.port,
      tlsMin: this.deps.config.tlsMin,
      caFingerprint: this.tls.caFingerprint,
      connections: this.connectionInfos(),
      peakConnections: this.peakConnections,
      rooms: this.core.roomSummaries(),
      totalMessages: this.totalMessages,
      messagesPerSecond: this.meter.perSecond(now),
      messageSeries: this.meter.series(now),
      memoryBytes: process.memoryUsage.rss(),
    };
  }

  /**
   * Closes one connection as the operator asked: a fatal `kicked` error
   * carrying `reason` (control characters removed, at most 200 characters),
   * then the close, after the acks of its messages still being stored.
   * False when there is no such connection, it is already closing, or it is
   * still in its TLS handshake (a negative id).
   */
  kick(id: number, reason: string): boolean {
    const conn = this.conns.get(id);
    if (!conn || conn.closing) return false;
    const why = kickReason(reason);
    this.deps.logger.info(
      { conn: conn.id, user: conn.user, address: conn.address, reason: why },
      'connection kicked',
    );
    this.fail(conn, 'kicked', `kicked by the server operator: ${why}`);
    return true;
  }

  private connectionInfos(): ConnectionInfo[] {
    const infos: ConnectionInfo[] = [];
    for (const pending of this.shell.handshaking()) {
      infos.push({
        id: pending.id,
        user: undefined,
        address: pending.address,
        tlsVersion: '',
        cipher: '',
        fingerprint: '',
        connectedAt: pending.acceptedAt,
        state: 'handshaking',
        msgsIn: 0,
        msgsOut: 0,
        bytesIn: 0,
        bytesOut: 0,
        queuedBytes: 0,
      });
    }
    for (const conn of this.conns.values()) infos.push(this.infoOf(conn));
    return infos;
  }

  private infoOf(conn: Connection): ConnectionInfo {
    return conn.info(conn.user !== undefined && this.core.isAway(conn.user));
  }

  // Returns whether the socket became a connection: one refused (with a
  // fatal frame) keeps its place under the handshake caps until it has closed.
  private onSecureConnection(socket: TLSSocket, acceptedAt: number): boolean {
    const { config, logger } = this.deps;
    const now = this.now();
    const address = socket.remoteAddress ?? '';
    // TLS (rejectUnauthorized) refuses these in the handshake: never a byte to a peer it did not vouch for.
    if (!socket.authorized) {
      logger.warn({ address, reason: socket.authorizationError }, 'unverified peer cut');
      socket.destroy();
      return false;
    }
    const conn = new Connection(this.nextConnId++, socket, address, acceptedAt, {
      maxQueueBytes: config.maxQueueBytes,
      maxFrameBytes: config.maxFrameBytes,
      onOverflow: (c) => this.dropSlow(c),
      budget: this.readBudget,
    });
    this.errorBudgets.set(conn, new TokenBucket(config.maxErrors, config.maxErrors / 60, now));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      conn.closeReason ??= `socket error ${error.code ?? error.message}`;
    });
    socket.on('close', () => this.onClose(conn));
    this.conns.set(conn.id, conn);
    this.live.add(address);
    this.peakConnections = Math.max(this.peakConnections, this.conns.size);

    // A handshake begun before a CRL reload was checked against the old CRL.
    const serial = conn.certificate?.serial;
    if (serial !== undefined && this.revoked.has(normalizeSerial(serial))) {
      logger.info({ conn: conn.id, address, serial }, 'certificate refused: revoked');
      this.fail(conn, 'cert_rejected', 'your certificate was revoked');
      return false;
    }
    const cap = this.capExceeded(address);
    if (cap) {
      this.fail(conn, cap.code, cap.message);
      return false;
    }
    // The user is the CN of a certificate our CA signed; `chat certs` only
    // issues valid names, but a CA used elsewhere might not.
    // Read with the rest of the certificate when the connection was made: building it is not cheap.
    const cn = conn.certificate?.commonName;
    if (typeof cn !== 'string' || !USER_PATTERN.test(cn)) {
      logger.info({ conn: conn.id, address, cn }, 'certificate refused: not a chat user name');
      this.fail(
        conn,
        'cert_rejected',
        'the name in your certificate is not a valid chat user name',
      );
      return false;
    }
    conn.user = cn;
    // A locked-out address is told so at once, before it says anything.
    const lockedFor = this.users ? this.guard.lockedFor(address, now) : undefined;
    if (lockedFor !== undefined) {
      logger.info({ conn: conn.id, address, user: cn }, 'refused: address locked out');
      this.fail(conn, 'auth_locked', lockedMessage(address, lockedFor));
      return false;
    }
    conn.helloTimer = setTimeout(
      () => this.fail(conn, 'hello_timeout', 'no hello in time'),
      Math.max(0, config.handshakeTimeoutMs - (now - conn.connectedAt)),
    );
    conn.helloTimer.unref();
    socket.on('data', (chunk: Buffer) => this.onData(conn, chunk));
    const info = this.infoOf(conn);
    logger.info(
      {
        conn: conn.id,
        address,
        user: conn.user,
        tls: info.tlsVersion,
        cipher: info.cipher,
        fingerprint: info.fingerprint,
      },
      'connection open',
    );
    this.emit('connect', info);
    return true;
  }

  private capExceeded(address: string): { code: ErrorCode; message: string } | undefined {
    const { maxConnections, maxPerAddress } = this.deps.config;
    if (this.live.total > maxConnections) {
      return {
        code: 'server_full',
        message: `the server is full (${maxConnections} connections): try again later`,
      };
    }
    if (this.live.of(address) > maxPerAddress) {
      return {
        code: 'too_many_connections',
        message: `too many connections from ${address} (limit ${maxPerAddress})`,
      };
    }
    return undefined;
  }

  private onData(conn: Connection, chunk: Buffer): void {
    if (conn.closing) return;
    conn.bytesIn += chunk.length;
    conn.lastHeard = this.now();
    conn.pingOutstanding = undefined;
    for (const event of conn.decoder.push(chunk)) {
      if (conn.closing) return;
      if (event.kind === 'error') {
        if (event.code === 'line_too_long') {
          this.fail(conn, 'line_too_long', event.message);
          return;
        }
        this.rejectGarbage(conn, event.code, event.message);
        continue;
      }
      conn.msgsIn += 1;
      const parsed = parseClientFrame(event.line);
      if (!parsed.ok) {
        this.rejectGarbage(conn, parsed.code, parsed.message, parsed.ref);
        continue;
      }
      const now = this.now();
      if (conn.state === 'authenticating') {
        if (this.logins.has(conn)) {
          this.onLoginFrame(conn, parsed.frame);
          continue;
        }
        if (parsed.frame.type !== 'hello') {
          this.fail(conn, 'hello_required', 'the first frame must be hello');
          return;
        }
        clearTimeout(conn.helloTimer);
        // A hello of another version is refused as usual, without asking a password first.
        if (this.users && parsed.frame.v === PROTOCOL_VERSION) {
          this.askPassword(conn, parsed.frame);
          continue;
        }
        conn.state = 'active';
        this.apply(this.core.hello(conn.id, conn.user ?? '', parsed.frame, now));
      } else if (parsed.frame.type === 'pong' && parsed.frame.ref === conn.expectedPong) {
        conn.expectedPong = undefined; // the answer to our own ping costs nothing
      } else {
        this.apply(this.core.receive(conn.id, parsed.frame, now));
      }
    }
  }

  // Asks for the password of the certificate's user, with a deadline of its
  // own: a person may be typing it.
  private askPassword(conn: Connection, hello: HelloFrame): void {
    this.logins.set(conn, { hello, checking: false });
    conn.helloTimer = setTimeout(
      () => this.fail(conn, 'auth_timeout', 'no password in time'),
      this.deps.config.authTimeoutMs,
    );
    conn.helloTimer.unref();
    conn.send(toWire({ type: 'auth', user: conn.user ?? '' }));
  }

  // Only one auth frame is read, and nothing else until it is answered. The
  // frame itself is never logged: it holds the password.
  private onLoginFrame(conn: Connection, frame: ClientFrame): void {
    const login = this.logins.get(conn);
    if (!login || login.checking || frame.type !== 'auth') {
      const message = login?.checking
        ? 'wait for welcome: your password is being checked'
        : 'send your password (auth) first';
      this.fail(conn, 'auth_required', message);
      return;
    }
    login.checking = true;
    void this.checkPassword(conn, login.hello, frame.password);
  }

  // The check runs on the thread pool (scrypt); a wrong password is answered
  // only after a delay, and counted for the address whether or not the
  // client waits for the answer.
  private async checkPassword(conn: Connection, hello: HelloFrame, password: string) {
    const { config, logger } = this.deps;
    const { address } = conn;
    const user = conn.user ?? '';
    const start = this.guard.begin(address, this.now());
    if (!start.ok) {
      logger.info({ conn: conn.id, address, user }, 'password refused: address locked out');
      this.fail(
        conn,
        'auth_locked',
        start.why === 'locked'
          ? lockedMessage(address, start.retryInMs)
          : `too many password attempts at once from ${address}: try again in a moment`,
      );
      return;
    }
    let check: Awaited<ReturnType<UsersBook['verify']>>;
    try {
      if (!this.users) throw new Error('no users file');
      check = await this.users.verify(user, password);
    } catch (error) {
      // Our fault, not a guess of the client's: not counted.
      this.guard.release(address, this.now());
      logger.error({ conn: conn.id, user, err: (error as Error).message }, 'password check failed');
      this.fail(conn, 'auth_failed', 'the server could not check your password: try again later');
      return;
    }
    const result = this.guard.end(address, check === 'ok', this.now());
    if (check === 'ok') {
      // Gone meanwhile (closed by the client, or failed): it must not come online.
      if (conn.closing || !this.conns.has(conn.id)) return;
      this.logins.delete(conn);
      clearTimeout(conn.helloTimer);
      conn.state = 'active';
      logger.info({ conn: conn.id, address, user }, 'password accepted');
      this.apply(this.core.hello(conn.id, user, hello, this.now()));
      return;
    }
    logger.info(
      {
        conn: conn.id,
        address,
        user,
        reason: check === 'unknown' ? 'no password set for this user' : 'wrong',
        failures: result.failures,
      },
      'wrong password',
    );
    if (result.lockedForMs !== undefined) {
      logger.warn(
        { address, lockedForMs: result.lockedForMs },
        'too many wrong passwords: address locked out',
      );
    }
    await delay(config.authFailDelayMs).done;
    const locked =
      result.lockedForMs === undefined ? '' : `; ${lockedMessage(address, result.lockedForMs)}`;
    this.fail(conn, 'auth_failed', `wrong password for ${user}${locked}`);
  }

  private rejectGarbage(conn: Connection, code: ErrorCode, message: string, ref?: string): void {
    if (!this.errorBudgets.get(conn)?.take(this.now())) {
      this.fail(conn, 'too_many_errors', 'too many invalid frames');
      return;
    }
    conn.send(
      toWire({
        type: 'error',
        code,
        message,
        ...(ref === undefined ? {} : { ref }),
      } satisfies ServerFrame),
    );
  }

  private apply(effects: Effect[]): void {
    for (const effect of effects) {
      switch (effect.kind) {
        case 'frames': {
          const wire = toWire(effect.frame);
          for (const id of effect.to) this.conns.get(id)?.send(wire);
          break;
        }
        case 'message': {
          // Begun now, in id order, so a store that syncs in batches takes
          // many messages per sync; delivery and the ack still wait in order.
          const stored = this.deps.store.append(
            effect.conversation,
            effect.message,
            effect.ack.ref,
          );
          stored.catch(() => {}); // handled in the chain, which may reach it later
          this.chain(
            effect.conversation,
            async () => {
              await stored;
              this.totalMessages += 1;
              this.meter.record(this.now());
              this.deliver(effect.conversation, effect.message);
              const { id, ts } = effect.message;
              this.conns
                .get(effect.ack.conn)
                ?.send(toWire({ type: 'ack', ref: effect.ack.ref, id, ts }));
            },
            { ...effect.ack, user: effect.message.from },
          );
          break;
        }
        case 'reack':
          this.chain(effect.conversation, async () => {
            const { ref, id, ts } = effect;
            const conn = this.conns.get(effect.conn);
            // The original's store may have failed meanwhile: then it was never kept.
            const kept = conn?.user !== undefined && this.core.holdsRef(conn.user, ref, id);
            conn?.send(
              toWire(
                kept
                  ? { type: 'ack', ref, id, ts }
                  : {
                      type: 'error',
                      code: 'store_failed',
                      message: 'the server could not store it: try again',
                      ref,
                    },
              ),
            );
          });

          break;
        case 'replay':
          this.pumpOf(effect.conn)?.replay(effect.conversation, effect.afterId);
          break;
        case 'history':
          this.pumpOf(effect.conn)?.history(effect);
          break;
        case 'close': {
          const conn = this.conns.get(effect.conn);
          if (conn) this.fail(conn, effect.code, effect.message);
          break;
        }
      }
    }
  }

  // Appends of one conversation run one after another, so ids are stored,
  // delivered and acknowledged in order even with a store that is slow.
  private chain(
    conversation: string,
    step: () => Promise<void>,
    ack?: { conn: number; ref: string; user: string },
  ): void {
    const previous = this.appendChains.get(conversation) ?? Promise.resolve();
    const next = previous.then(step).catch((error: unknown) => {
      this.deps.logger.error({ err: error, conversation }, 'could not store a message');
      if (ack) {
        this.core.forgetRef(ack.user, ack.ref);
        this.conns.get(ack.conn)?.send(
          toWire({
            type: 'error',
            code: 'store_failed',
            message: 'the server could not store it: try again',
            ref: ack.ref,
          }),
        );
      }
    });
    this.appendChains.set(conversation, next);
    void next.then(() => {
      if (this.appendChains.get(conversation) === next) this.appendChains.delete(conversation);
    });
  }

  private deliver(conversation: string, message: StoredMessage): void {
    const wire = toWire(message);
    for (const id of this.core.recipients(conversation))
      this.conns.get(id)?.deliver(conversation, message.id, wire);
  }

  // Created on a connection's first replay or history read, dropped with it.
  private pumpOf(connId: number): ReadPump | undefined {
    const conn = this.conns.get(connId);
    if (!conn) return undefined;
    let pump = this.pumps.get(conn);
    if (!pump) {
      pump = new ReadPump(conn, {
        store: this.deps.store,
        budget: this.readBudget,
        maxMessageBytes: maxMessageBytes(this.deps.config.maxTextChars),
        onReadError: (error, conversation, fatal) => {
          this.deps.logger.error({ err: error, conversation }, 'could not read history');
          if (fatal)
            this.fail(
              conn,
              'store_failed',
              'the server could not read what you missed: reconnecting tries again',
            );
        },
      });
      this.pumps.set(conn, pump);
    }
    return pump;
  }

  private checkIdle(): void {
    const now = this.now();
    const { idlePingMs, idleTimeoutMs, stallTimeoutMs } = this.deps.config;
    for (const conn of this.conns.values()) {
      // Bytes the client has left unread that long: it is gone or not reading.
      if (conn.stalledFor(now) >= stallTimeoutMs) {
        this.dropSlow(conn);
        continue;
      }
      if (conn.state !== 'active') continue;
      const silent = now - conn.lastHeard;
      if (silent >= idleTimeoutMs) this.fail(conn, 'idle_timeout', 'no answer to ping');
      else if (silent >= idlePingMs && conn.pingOutstanding === undefined) {
        conn.pingOutstanding = `s${now}`;
        conn.expectedPong = conn.pingOutstanding;
        conn.send(toWire({ type: 'ping', ref: conn.pingOutstanding }));
      }
    }
  }

  private dropSlow(conn: Connection): void {
    if (conn.state === 'closing') return;
    this.markClosing(conn);
    conn.closeReason = 'slow_consumer';
    // Its queue is full: there is no room to say why, so it is cut at once.
    conn.socket.destroy();
  }

  /**
   * Tells the client why (a fatal error frame), then closes the connection.
   * Input stops counting at once and is drained unread (so the peer's own
   * close is seen); the goodbye waits for messages of this client still
   * being stored, so their acks are not lost behind it.
   */
  private fail(conn: Connection, code: ErrorCode, message: string): void {
    if (conn.state === 'closing') return;
    this.markClosing(conn);
    conn.closeReason = code;
    clearTimeout(conn.helloTimer);
    conn.socket.resume();
    void Promise.all([...this.appendChains.values()]).then(() => {
      conn.send(toWire({ type: 'error', code, message, fatal: true }));
      conn.flush();
      conn.socket.end();
      setTimeout(() => conn.socket.destroy(), CLOSE_GRACE_MS).unref();
    });
  }

  // A closing connection no longer counts against the caps.
  private markClosing(conn: Connection): void {
    conn.state = 'closing';
    this.live.remove(conn.address);
  }

  private onClose(conn: Connection): void {
    if (!this.conns.delete(conn.id)) return;
    this.pumps.get(conn)?.stop();
    conn.release();
    if (conn.state !== 'closing') this.live.remove(conn.address);
    clearTimeout(conn.helloTimer);
    const info = this.infoOf(conn);
    const reason = conn.closeReason ?? 'client closed';
    this.apply(this.core.disconnect(conn.id, this.now()));
    if (conn.user !== undefined && info.state !== 'authenticating') {
      this.deps.logger.info(
        {
          conn: conn.id,
          address: conn.address,
          user: conn.user,
          reason,
          durationMs: this.now() - conn.connectedAt,
          msgsIn: conn.msgsIn,
          msgsOut: conn.msgsOut,
        },
        'connection closed',
      );
    }
    this.emit('disconnect', { ...info, reason });
  }
}

// The reason goes to the client's screen and to the log: one line of plain
// text, no control or bidi characters that could rewrite either.
function kickReason(reason: string): string {
  const plain = reason
    .replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const chars = Array.from(plain);
  if (chars.length === 0) return 'no reason given';
  return chars.length <= MAX_KICK_REASON_CHARS
    ? plain
    : `${chars.slice(0, MAX_KICK_REASON_CHARS - 1).join('')}…`;
}

/** Why a locked-out address is refused, with the wait left (rounded up to a minute, or seconds). */
function lockedMessage(address: string, retryInMs: number): string {
  const seconds = Math.ceil(retryInMs / 1000);
  const wait = seconds < 120 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`;
  return `too many wrong passwords from ${address}: try again in ${wait}`;
}

function listenError(error: NodeJS.ErrnoException, config: ServerConfig): ChatError {
  if (error.code === 'EADDRINUSE') {
    return new ChatError('PORT_IN_USE', `port ${config.port} on ${config.host} is already in use`, {
      hint: 'stop the other server, or choose another port with --port',
      cause: error,
    });
  }
  if (error.code === 'EACCES') {
    return new ChatError('PORT_IN_USE', `not allowed to listen on port ${config.port}`, {
      hint: 'ports below 1024 need privileges: choose another with --port',
      cause: error,
    });
  }
  return new ChatError(
    'PORT_IN_USE',
    `cannot listen on ${config.host}:${config.port}: ${error.message}`,
    {
      hint: 'check --host and --port',
      cause: error,
    },
  );
}

function waitClosed(socket: TLSSocket): Promise<void> {
  return socket.closed
    ? Promise.resolve()
    : new Promise((resolve) => socket.once('close', () => resolve()));
}

// Kept referenced: close() must not be left pending by an event loop that runs
// dry; cancelled once not needed, so it keeps no process alive after close().
function delay(ms: number): { done: Promise<void>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const done = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return { done, cancel: () => clearTimeout(timer) };
}
