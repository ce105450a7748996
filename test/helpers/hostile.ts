/**
 * Helpers for the hostile-client suites (test/hostile/): raw peers that
 * record every server frame, deadlines that fail a test instead of hanging
 * it, and the check that a well-behaved client is still served.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import { join } from 'node:path';
import tls, { type TLSSocket } from 'node:tls';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { ServerFrame } from '../../src/net/protocol/frames.ts';
import type { ConnectionInfo } from '../../src/server/connection.ts';
import { client, nextEvent, type Started, type Team } from './chat-server.ts';

/** How long a well-behaved client may take, after a hostile case, to be welcomed, acked and delivered (ms). */
export const SERVED_WITHIN_MS = 1_000;
/** Bound on any other wait in these suites (ms): a hung case fails instead of hanging the run. */
export const WAIT_MS = 5_000;
/** Per-test timeout for node:test (ms). */
export const TEST = { timeout: 20_000 };
/** Bytes in a mebibyte. */
export const MIB = 1024 * 1024;

/** The client's TLS credentials, PEM; cert and key absent for a client that sends none. */
export type Credentials = { ca: string; cert?: string; key?: string };

/** Resolves with `promise`, or rejects naming `what` once `ms` have passed. */
export async function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves on the socket's `close`, whatever errors (EPIPE, ECONNRESET) came before it. */
export function closeOf(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.closed) resolve();
    else socket.once('close', () => resolve());
  });
}

/** Resolves once the socket takes more writes (`drain`) or closes, within WAIT_MS. */
export function drainOrClose(socket: net.Socket): Promise<void> {
  return withDeadline(
    new Promise<void>((resolve) => {
      const done = () => {
        socket.off('drain', done).off('close', done);
        resolve();
      };
      socket.on('drain', done).on('close', done);
    }),
    WAIT_MS,
    'drain or close',
  );
}

/** `error` frames as `code fatal=…` and other frames as their type, for compact asserts. */
export function summary(frames: readonly ServerFrame[]): string[] {
  return frames.map((f) => (f.type === 'error' ? `${f.code} fatal=${f.fatal === true}` : f.type));
}

/** One line of JSON, newline-terminated, as a client writes it. */
export function line(frame: object): string {
  return `${JSON.stringify(frame)}\n`;
}

/** A hello as the protocol's first frame, for raw peers. */
export const HELLO = line({ type: 'hello', v: 1, client: 'hostile/1' });

/** A `send` to #general with this text and ref. */
export function sendLine(text: string, ref: string): string {
  return line({ type: 'send', room: '#general', text, ref });
}

/**
 * A raw TLS connection that records every frame the server sends, in order,
 * and never forgets one (waits look from an index on): a hostile client, or
 * a witness that must receive nothing it should not.
 */
export interface Peer {
  socket: TLSSocket;
  /** Every frame received, in order. */
  frames: ServerFrame[];
  /** Resolves on close, whatever came before it. */
  closed: Promise<void>;
  /**
   * The first frame at index `from` or later that passes `match`; rejects
   * after `ms` or when the connection closes without one.
   */
  waitFrame(
    match: (frame: ServerFrame) => boolean,
    what: string,
    options?: { from?: number; ms?: number },
  ): Promise<ServerFrame>;
  /** Half-closes and waits for the close (destroys after WAIT_MS). */
  end(): Promise<void>;
}

/** How a raw peer connects. */
export interface PeerOptions {
  /** Source address: another 127.x.y.z is another machine as far as per-address caps go. */
  localAddress?: string;
  /** Keep writing after the server's half-close, as a hostile client may. */
  allowHalfOpen?: boolean;
}

/** Opens a raw TLS connection to the test server (or any on loopback) and waits for the handshake. */
export async function connectPeer(
  started: Pick<Started, 'port'>,
  credentials: Credentials,
  options: PeerOptions = {},
): Promise<Peer> {
  const socket = tls.connect({
    host: '127.0.0.1',
    port: started.port,
    servername: 'localhost',
    ...credentials,
    ...options,
  });
  return recordFrames(socket);
}

/** Wraps a TLS socket (connecting or connected) as a Peer, once its handshake is done. */
async function recordFrames(socket: TLSSocket): Promise<Peer> {
  socket.on('error', () => {});
  const closed = closeOf(socket);
  const frames: ServerFrame[] = [];
  const events = new EventEmitter();
  events.setMaxListeners(0);
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (let index = buffer.indexOf('\n'); index >= 0; index = buffer.indexOf('\n')) {
      frames.push(JSON.parse(buffer.slice(0, index)) as ServerFrame);
      buffer = buffer.slice(index + 1);
    }
    events.emit('frames');
  });
  void closed.then(() => events.emit('frames'));
  await withDeadline(
    new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', () => resolve());
      void closed.then(() => reject(new Error('closed during the TLS handshake')));
    }),
    WAIT_MS,
    'TLS handshake',
  );

  const waitFrame: Peer['waitFrame'] = (match, what, { from = 0, ms = WAIT_MS } = {}) =>
    new Promise<ServerFrame>((resolve, reject) => {
      let next = from;
      const fail = (why: string) => {
        stop();
        reject(new Error(`${what}: ${why}; got ${summary(frames.slice(from)).join(', ')}`));
      };
      const look = () => {
        for (; next < frames.length; next += 1) {
          const frame = frames[next] as ServerFrame;
          if (match(frame)) {
            stop();
            resolve(frame);
            return;
          }
        }
        if (socket.closed) fail('connection closed first');
      };
      const timer = setTimeout(() => fail(`not within ${ms} ms`), ms);
      const stop = () => {
        clearTimeout(timer);
        events.off('frames', look);
      };
      events.on('frames', look);
      look();
    });

  const end = async () => {
    socket.end();
    const timer = setTimeout(() => socket.destroy(), WAIT_MS);
    await closed;
    clearTimeout(timer);
  };
  return { socket, frames, closed, waitFrame, end };
}

/** A raw peer that has said hello and got its welcome. */
export async function helloPeer(
  started: Pick<Started, 'port'>,
  credentials: Credentials,
  options: PeerOptions = {},
): Promise<Peer> {
  const peer = await connectPeer(started, credentials, options);
  peer.socket.write(HELLO);
  await peer.waitFrame((f) => f.type === 'welcome', 'welcome');
  // Right after the welcome, read from the store: waited for, so what a test
  // sends next is answered after it.
  await peer.waitFrame((f) => f.type === 'unread', 'unread');
  return peer;
}

/** A plain TCP socket to the server, connected, that records the bytes it gets back. */
export async function tcpPeer(
  started: Started,
): Promise<{ socket: net.Socket; received: Buffer[]; closed: Promise<void> }> {
  const socket = net.connect({ host: '127.0.0.1', port: started.port });
  socket.on('error', () => {});
  const closed = closeOf(socket);
  const received: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => received.push(chunk));
  await withDeadline(
    new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      void closed.then(() => reject(new Error('closed before connecting')));
    }),
    WAIT_MS,
    'TCP connect',
  );
  return { socket, received, closed };
}

type Disconnect = ConnectionInfo & { reason: string };

/** The server's next `disconnect` event that passes `match`. */
export function disconnected(
  started: Started,
  match: (info: Disconnect) => boolean = () => true,
): Promise<Disconnect> {
  return nextEvent<[Disconnect]>(started.server, 'disconnect', match).then(([info]) => info);
}

/** True when a frame a witness got is about `user` (its presence, joins, parts or messages). */
function concerns(frame: ServerFrame, user: string): boolean {
  return ('user' in frame && frame.user === user) || ('from' in frame && frame.from === user);
}

let servedCount = 0;

/**
 * A well-behaved ChatClient of `user` connects, sends to #general, gets its
 * ack, and the `witness` (a peer in #general) gets the message, all within
 * SERVED_WITHIN_MS or the test fails. With `quietSince`, every frame the
 * witness got from that index up to the delivered message must be about
 * `user`: nothing a hostile peer sent before was relayed.
 */
export async function assertServed(
  team: Team,
  started: Started,
  witness: Peer,
  options: { user?: string; quietSince?: number } = {},
): Promise<void> {
  const user = options.user ?? 'carol';
  const text = `still served ${++servedCount}`;
  const from = witness.frames.length;
  const chat = await client(team, started, user, { reconnect: false });
  try {
    await withDeadline(
      (async () => {
        await chat.connect();
        const ack = await chat.send('#general', text);
        assert.ok(ack.id > 0, 'acknowledged with a server id');
        await witness.waitFrame((f) => f.type === 'msg' && f.text === text, 'delivery', { from });
      })(),
      SERVED_WITHIN_MS,
      `${user} welcomed, acked and delivered after the hostile peer`,
    );
  } finally {
    await chat.close();
  }
  if (options.quietSince !== undefined) {
    const end = witness.frames.findIndex(
      (f, i) => i >= from && f.type === 'msg' && f.text === text,
    );
    const strays = witness.frames
      .slice(options.quietSince, end + 1)
      .filter((f) => !concerns(f, user));
    assert.deepEqual(strays, [], 'the witness got nothing but what the served client caused');
  }
}

/**
 * Closes a server while holding the event loop open: ChatServer.close()
 * waits on unref'd timers only, and a loop that drains with it pending
 * makes node:test cancel what follows.
 */
export async function closeServer(started: Started | undefined): Promise<void> {
  if (!started) return;
  const keepAlive = setInterval(() => {}, 1_000);
  try {
    await started.server.close();
  } finally {
    clearInterval(keepAlive);
  }
}

let gcFunction: (() => void) | undefined;

/**
 * Runs a full garbage collection: `global.gc` when node runs with
 * --expose-gc, else the same function enabled at run time (V8 exposes it to
 * contexts created after the flag is set).
 */
export function forceGc(): void {
  if (!gcFunction) {
    const exposed = (globalThis as { gc?: () => void }).gc;
    if (exposed) gcFunction = exposed;
    else {
      setFlagsFromString('--expose-gc');
      gcFunction = runInNewContext('gc') as () => void;
    }
  }
  gcFunction();
}

/** JS heap in use plus ArrayBuffer (Buffer) memory, in bytes: what a server that buffers input would grow. */
export function heapAndBuffers(): number {
  const usage = process.memoryUsage();
  return usage.heapUsed + usage.arrayBuffers;
}

/**
 * The first flight a real node TLS client sends with these credentials: a
 * whole ClientHello, captured on a scratch socket. Sent as raw bytes, it
 * starts a handshake the sender never has to finish.
 */
export async function captureClientHello(credentials: Credentials): Promise<Buffer> {
  const sink = net.createServer();
  const first = new Promise<Buffer>((resolve) => {
    sink.once('connection', (socket) => {
      socket.once('data', (chunk: Buffer) => {
        resolve(chunk);
        socket.destroy();
      });
    });
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const { port } = sink.address() as net.AddressInfo;
  const probe = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ...credentials });
  probe.on('error', () => {});
  try {
    return await withDeadline(first, WAIT_MS, 'a ClientHello');
  } finally {
    probe.destroy();
    await closeOf(probe);
    await new Promise<void>((resolve) => sink.close(() => resolve()));
  }
}

/** The credentials of `user` in a certs directory as `chat certs` lays it out (ca.crt, clients/USER.crt and .key). */
export async function credentialsIn(certsDir: string, user: string): Promise<Credentials> {
  const [ca, cert, key] = await Promise.all([
    readFile(join(certsDir, 'ca.crt'), 'utf8'),
    readFile(join(certsDir, 'clients', `${user}.crt`), 'utf8'),
    readFile(join(certsDir, 'clients', `${user}.key`), 'utf8'),
  ]);
  return { ca, cert, key };
}

let rawServed = 0;

/**
 * A well-behaved client of `sender` from 127.0.0.2 is welcomed, sends to
 * #general and is acked, and a witness (`witness`, from 127.0.0.3) gets the
 * message, all within SERVED_WITHIN_MS or the test fails. Raw peers, so that
 * it works against any server by its port, in this process or not.
 */
export async function assertServedFrom(
  port: number,
  sender: Credentials,
  witness: Credentials,
): Promise<void> {
  const text = `served from another address ${++rawServed}`;
  const watcher = await helloPeer({ port }, witness, { localAddress: '127.0.0.3' });
  try {
    const from = watcher.frames.length;
    await withDeadline(
      (async () => {
        const peer = await helloPeer({ port }, sender, { localAddress: '127.0.0.2' });
        peer.socket.write(sendLine(text, `served-${rawServed}`));
        await peer.waitFrame((f) => f.type === 'ack', 'ack');
        await watcher.waitFrame((f) => f.type === 'msg' && f.text === text, 'delivery', { from });
        await peer.end();
      })(),
      SERVED_WITHIN_MS,
      'a normal client from 127.0.0.2 welcomed, acked and delivered',
    );
  } finally {
    await watcher.end();
  }
}
