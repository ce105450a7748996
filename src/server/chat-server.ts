import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { TLSSocket, Server as TlsServer } from 'node:tls';
import type { Logger } from 'pino';
import { AppendChains } from './append-chains.ts';
import { ByteBudget } from './byte-budget.ts';
import type { ChatCore } from './chat-core.ts';
import type { Connection, ConnectionInfo } from './connection.ts';
import { ConnectionTable } from './connection-table.ts';
import { coreFor, seedCore } from './core-for-server.ts';
import { EffectInterpreter } from './effect-interpreter.ts';
import { LocalFanOut } from './fan-out.ts';
import { FlushQueue } from './flush-queue.ts';
import { FrameIntake } from './frame-intake.ts';
import { HandshakeShell } from './handshake-shell.ts';
import type { HistoryStore } from './history/history-store.ts';
import { IrcSocket } from './irc/irc-socket.ts';
import { caOf, KeyDirectory } from './key-directory.ts';
import { LoginFlow } from './login-flow.ts';
import { isShared, NodeFeed } from './node-feed.ts';
import { maxMessageBytes } from './page-bytes.ts';
import { RateMeter } from './rate-meter.ts';
import { Revocations } from './revocations.ts';
import type { ServerConfig } from './server-config.ts';
import type { ServerStats } from './server-stats.ts';
import { SessionAdmission } from './session-admission.ts';
import { StateSaver } from './state-saver.ts';
import { createTlsServer, type ServerTls } from './tls-options.ts';
import { usersFor } from './users-for-server.ts';

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

/** Longest operator reason a kick carries, in characters (code points). */
const MAX_KICK_REASON_CHARS = 200;

/** How long a closing connection may take to flush its goodbye before it is destroyed, in ms. */
const CLOSE_GRACE_MS = 1_000;
/** Least time between two saves of the kept state (topics, rooms, reads), in ms. */
const SAVE_STATE_MS = 1_000;

/**
 * The TLS broadcast server, as its users see it: it composes the parts and
 * answers for the whole. The handshake shell accepts; SessionAdmission lets
 * a verified socket in as a connection (ConnectionTable keeps and closes
 * them); FrameIntake reads its frames into ChatCore, or into the LoginFlow
 * with --require-password; EffectInterpreter carries out what ChatCore
 * returns, through the store and the fan-out.
 */
export class ChatServer extends EventEmitter<ChatServerEvents> {
  private readonly core: ChatCore;
  /** Never listens itself: the shell accepts and hands it the sockets it admits. */
  private readonly server: TlsServer;
  /** Accepts, caps and times the sockets not yet through TLS, and logs failed handshakes. */
  private readonly shell: HandshakeShell;
  /** With --irc-port: the IRC gateway's TLS server and shell, under the same caps. */
  private readonly irc: { server: TlsServer; shell: HandshakeShell } | undefined;
  private ircBound: AddressInfo | undefined;
  private readonly conns: ConnectionTable;
  private readonly chains = new AppendChains();
  private readonly effects: EffectInterpreter;
  /** With a store several nodes share (--redis): what the other nodes keep. */
  private readonly feed: NodeFeed | undefined;
  private readonly saver: StateSaver;
  /** With --require-password. */
  private readonly login: LoginFlow | undefined;
  private readonly revocations: Revocations;
  /** Every valid certificate of a user, for clients that seal direct messages. */
  private readonly keys: KeyDirectory;
  private readonly meter = new RateMeter(60);
  private readonly now: () => number;
  private totalMessages = 0;
  private startedAt = 0;
  private idleTimer: NodeJS.Timeout | undefined;
  private closing = false;
  /** The TLS material in use: the one given, then each reloaded one. */
  private tls: ServerTls;

  constructor(private readonly deps: ChatServerDeps) {
    super();
    const { config } = deps;
    this.tls = deps.tls;
    this.revocations = new Revocations(deps.tls, config.certsDir);
    this.now = deps.now ?? Date.now;
    this.keys = new KeyDirectory(config.certsDir, {
      ca: () => caOf(this.tls),
      revokes: (serial) => this.revocations.revokes(serial),
      now: this.now,
    });
    this.core = coreFor(config, deps.serverName, deps.store, this.keys);
    this.server = createTlsServer(deps.tls, config.handshakeTimeoutMs);
    this.conns = new ConnectionTable({
      limits: config,
      settled: () => this.chains.settled(),
      closeGraceMs: CLOSE_GRACE_MS,
    });
    const readBudget = new ByteBudget(config.readBudgetBytes);
    this.saver = new StateSaver({
      snapshot: () => {
        // A node of a cluster keeps where it stands in the cluster's events too.
        const events = this.feed?.eventsPosition();
        return { ...this.core.keptState(this.now()), ...(events === undefined ? {} : { events }) };
      },
      write: (state) => deps.store.writeState(state),
      onError: (err) => deps.logger.error({ err }, 'could not save the server state; tried again'),
      intervalMs: SAVE_STATE_MS,
    });
    const local = new LocalFanOut(this.conns, this.core);
    this.feed = isShared(deps.store)
      ? new NodeFeed({
          store: deps.store,
          local,
          core: this.core,
          replaced: (conversation, message) =>
            this.effects.replacedElsewhere(conversation, message),
          apply: (effects) => this.effects.apply(effects),
          revoked: (serials) => this.revokedElsewhere(serials),
          load: () => ({
            connections: [...this.conns.values()].length,
            messagesPerSecond: this.meter.perSecond(this.now()),
          }),
          now: () => this.now(),
          logger: deps.logger,
        })
      : undefined;
    this.effects = new EffectInterpreter({
      core: this.core,
      store: deps.store,
      fanOut: this.feed?.fanOut ?? local,
      conns: this.conns,
      chains: this.chains,
      readBudget,
      maxMessageBytes: maxMessageBytes(config.maxTextChars),
      unreadScanMessages: config.historyPerRoom,
      persist: () => this.saver.changed(),
      replicate: (event) => this.feed?.replicate(event),
      logger: deps.logger,
      onStored: () => {
        this.totalMessages += 1;
        this.meter.record(this.now());
      },
      now: () => this.now(),
    });
    this.login = config.requirePassword
      ? new LoginFlow({
          settings: config,
          users: usersFor(config.dataDir, deps.store, deps.logger),
          conns: this.conns,
          logger: deps.logger,
          now: this.now,
          welcome: (conn, hello) => {
            conn.state = 'active';
            this.effects.apply(
              this.core.hello(
                conn.id,
                conn.user ?? '',
                hello,
                this.now(),
                conn.certificate?.fingerprint,
              ),
            );
          },
        })
      : undefined;
    const admission = new SessionAdmission({
      settings: config,
      conns: this.conns,
      revocations: this.revocations,
      login: this.login,
      intake: new FrameIntake({
        core: this.core,
        effects: this.effects,
        conns: this.conns,
        login: this.login,
        maxErrors: config.maxErrors,
        now: this.now,
      }),
      readBudget,
      flushes: new FlushQueue(),
      logger: deps.logger,
      now: this.now,
      onOpen: (conn) => this.onOpen(conn),
      onClose: (conn) => this.onClose(conn),
    });
    this.shell = new HandshakeShell({
      tlsServer: this.server,
      caps: config,
      timeoutMs: config.handshakeTimeoutMs,
      logIntervalMs: config.handshakeLogMs,
      logger: deps.logger,
      now: this.now,
      onSecure: (socket, acceptedAt) => admission.admit(socket, acceptedAt),
    });
    this.irc = config.ircPort === undefined ? undefined : this.ircGateway(admission);
  }

  // IRC clients come in through a TLS server of their own (same certificate
  // and options), and are admitted as chat connections: IrcSocket translates.
  private ircGateway(admission: SessionAdmission) {
    const { config } = this.deps;
    const server = createTlsServer(this.tls, config.handshakeTimeoutMs);
    const [name = 'chat', version = ''] = this.deps.serverName.split('/');
    const shell = new HandshakeShell({
      tlsServer: server,
      caps: config,
      timeoutMs: config.handshakeTimeoutMs,
      logIntervalMs: config.handshakeLogMs,
      logger: this.deps.logger,
      now: this.now,
      onSecure: (socket, acceptedAt) =>
        admission.admit(
          new IrcSocket(socket, {
            serverName: name,
            version,
            rate: { perSecond: config.ratePerSecond, burst: config.rateBurst },
            now: this.now,
            maxQueueBytes: config.maxQueueBytes,
          }) as unknown as TLSSocket,
          acceptedAt,
        ),
    });
    return { server, shell };
  }

  /** Starts listening; resolves with the bound address. */
  async listen(): Promise<AddressInfo> {
    const { config, store } = this.deps;
    // First: a missing or garbled users table stops the start before anything else does.
    await this.login?.load();
    // A node of several listens to the others before it reads where ids stand.
    await this.feed?.start();
    const { lastIds, events } = await seedCore(this.core, store, this.now());
    await this.feed?.seed(lastIds, events);
    const address = await this.shell.listen(config.port, config.host);
    const irc =
      this.irc === undefined || config.ircPort === undefined
        ? undefined
        : await this.irc.shell.listen(config.ircPort, config.host);
    this.ircBound = irc;
    this.startedAt = this.now();
    const shortest = Math.min(config.idlePingMs, config.stallTimeoutMs);
    const tick = Math.max(10, Math.min(5_000, Math.floor(shortest / 4)));
    this.idleTimer = setInterval(() => this.conns.checkIdle(this.now()), tick);
    this.idleTimer.unref();
    this.deps.logger.info(
      {
        address: address.address,
        port: address.port,
        tlsMin: config.tlsMin,
        caFingerprint: this.tls.caFingerprint,
        crl: this.tls.crlLoaded,
        ...(this.login ? { requirePassword: true, users: this.login.size } : {}),
        ...(irc === undefined ? {} : { ircPort: irc.port }),
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

  /** Where the IRC gateway listens, once listening with --irc-port. */
  ircAddress(): AddressInfo | undefined {
    return this.ircBound;
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
    const stopped = Promise.all([this.shell.stop(), this.irc?.shell.stop()]);
    for (const conn of this.conns.values())
      this.conns.fail(conn, 'server_shutdown', 'the server is shutting down');
    const grace = delay(CLOSE_GRACE_MS);
    await Promise.race([
      Promise.all([...this.conns.values()].map((c) => waitClosed(c.socket))),
      grace.done,
    ]);
    grace.cancel();
    for (const conn of this.conns.values()) conn.socket.destroy();
    await stopped;
    await this.chains.settled();
    await this.saver.flush();
    await this.feed?.stop();
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
    const update = this.revocations.check(tls);
    if (!update) return 0;
    this.server.setSecureContext(tls.options);
    this.irc?.server.setSecureContext(tls.options);
    this.tls = tls;
    this.revocations.adopt(update);
    const closed = this.closeRevoked();
    this.deps.logger.info({ revoked: this.revocations.size, closed }, 'crl reloaded');
    // A node that has not yet reloaded its own CRL closes these sessions too.
    this.feed?.revoked(this.revocations.serials());
    return closed;
  }

  /** Another node of the cluster revoked these serials: refused and closed here too. */
  private revokedElsewhere(serials: string[]): void {
    this.revocations.revokeElsewhere(serials);
    const closed = this.closeRevoked();
    if (closed > 0) this.deps.logger.info({ closed }, 'certificates revoked on another node');
  }

  // Every live session whose certificate is revoked is closed, told why; how many.
  private closeRevoked(): number {
    let closed = 0;
    for (const conn of this.conns.values()) {
      const serial = conn.certificate?.serial;
      if (conn.closing || serial === undefined || !this.revocations.revokes(serial)) continue;
      this.deps.logger.info(
        { conn: conn.id, address: conn.address, user: conn.user, serial },
        'certificate revoked: closing its session',
      );
      this.conns.fail(conn, 'cert_rejected', 'your certificate was revoked');
      closed += 1;
    }
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
      peakConnections: this.conns.peakConnections,
      rooms: this.core.roomSummaries(),
      totalMessages: this.totalMessages,
      messagesPerSecond: this.meter.perSecond(now),
      messageSeries: this.meter.series(now),
      memoryBytes: process.memoryUsage.rss(),
      ...(this.feed ? { cluster: this.feed.summary() } : {}),
    };
  }

  /**
   * Closes one connection as the operator asked: a `moderated` kick shown
   * in the rooms its user shares, then a fatal `kicked` error carrying
   * `reason` (control characters removed, at most 200 characters), then the close, after the acks of its messages still being stored.
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
    // Through the core: the rooms it shares are shown a `moderated`, the act
    // is logged like any operator's, then the fatal `kicked` closes it.
    this.effects.apply(this.core.kickConnection(conn.id, why, this.now()));
    if (!conn.closing) this.conns.fail(conn, 'kicked', `kicked by the server operator: ${why}`);
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

  private onOpen(conn: Connection): void {
    const info = this.infoOf(conn);
    const der = conn.socket.getPeerCertificate().raw;
    if (conn.user !== undefined && der) this.keys.saw(conn.user, der, info.fingerprint);
    this.deps.logger.info(
      {
        conn: conn.id,
        address: conn.address,
        user: conn.user,
        tls: info.tlsVersion,
        cipher: info.cipher,
        fingerprint: info.fingerprint,
      },
      'connection open',
    );
    this.emit('connect', info);
  }

  private onClose(conn: Connection): void {
    if (!this.conns.remove(conn)) return;
    this.effects.forget(conn);
    conn.release();
    clearTimeout(conn.helloTimer);
    const info = this.infoOf(conn);
    const reason = conn.closeReason ?? 'client closed';
    this.effects.apply(this.core.disconnect(conn.id, this.now()));
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
