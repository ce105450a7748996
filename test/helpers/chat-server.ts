import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import tls, { type TLSSocket } from 'node:tls';
import { pino } from 'pino';
import { ChatClient, type ChatClient as ChatClientType } from '../../src/net/chat-client.ts';
import type { ChatClientOptions } from '../../src/net/client-types.ts';
import type { ServerFrame } from '../../src/net/protocol/frames.ts';
import { issueClient } from '../../src/pki/client-certs.ts';
import { initPki } from '../../src/pki/init-pki.ts';
import { clientPaths } from '../../src/pki/layout.ts';
import { ChatServer } from '../../src/server/chat-server.ts';
import type { HistoryStore } from '../../src/server/history/history-store.ts';
import { MemoryHistory } from '../../src/server/history/memory-history.ts';
import { DEFAULT_SERVER_CONFIG, type ServerConfig } from '../../src/server/server-config.ts';
import { loadServerTls } from '../../src/server/tls-options.ts';
import { pkiContext, tempDir } from './pki.ts';

/** A team PKI in a temp dir with client certificates for these users. */
export async function makeTeam(users: string[] = ['alice', 'bob', 'carol']) {
  const dir = await tempDir();
  const ctx = pkiContext(dir.path);
  await initPki(ctx, { user: users[0] ?? 'alice' });
  for (const user of users.slice(1)) await issueClient(ctx, { name: user });
  // `bob@phone`: the files of a further device of bob's (`--device phone`).
  const credentials = async (user: string) => {
    const [name = user, device] = user.split('@');
    const paths = clientPaths(ctx.layout, name, device);
    const [ca, cert, key] = await Promise.all([
      readFile(ctx.layout.caCert, 'utf8'),
      readFile(paths.cert, 'utf8'),
      readFile(paths.key, 'utf8'),
    ]);
    return { ca, cert, key };
  };
  return { dir, ctx, certsDir: join(dir.path, 'certs'), credentials };
}

export type Team = Awaited<ReturnType<typeof makeTeam>>;

/** A real ChatServer on a free loopback port, its logs kept as parsed JSON records (and written to `alsoLogTo`). */
export async function startServer(
  team: Team,
  overrides: Partial<ServerConfig> = {},
  store?: HistoryStore,
  alsoLogTo?: { write(chunk: string): unknown },
) {
  const config: ServerConfig = {
    ...DEFAULT_SERVER_CONFIG,
    host: '127.0.0.1',
    port: 0,
    certsDir: team.certsDir,
    ...overrides,
  };
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      alsoLogTo?.write(chunk.toString('utf8'));
      for (const line of chunk.toString('utf8').split('\n')) if (line) logs.push(JSON.parse(line));
      done();
    },
  });
  const server = new ChatServer({
    config,
    tls: await loadServerTls(config.certsDir, config.tlsMin),
    store: store ?? new MemoryHistory(config.historyPerRoom),
    logger: pino({ level: 'debug' }, sink),
    serverName: 'chat/test',
  });
  const { port } = await server.listen();
  return { server, port, logs, config };
}

export type Started = Awaited<ReturnType<typeof startServer>>;

/** A ChatClient for `user` against the test server; close it in the test's teardown. */
export async function client(
  team: Team,
  started: Started,
  user: string,
  options: Partial<ChatClientOptions> = {},
): Promise<ChatClientType> {
  return new ChatClient({
    host: 'localhost',
    port: started.port,
    credentials: await team.credentials(user),
    clientName: 'test/1',
    pingIntervalMs: 0,
    backoff: { baseMs: 20, maxMs: 200 },
    ...options,
  });
}

/** Resolves with the first event of `emitter` named `name` whose arguments pass `match`. */
export function nextEvent<T extends unknown[]>(
  emitter: NodeJS.EventEmitter,
  name: string,
  match: (...args: T) => boolean = () => true,
): Promise<T> {
  return new Promise((resolve) => {
    const listener = (...args: unknown[]) => {
      if (!match(...(args as T))) return;
      emitter.off(name, listener);
      resolve(args as T);
    };
    emitter.on(name, listener);
  });
}

/** Collects every `name` event of `emitter` into an array, live. */
export function collect<T>(emitter: NodeJS.EventEmitter, name: string): T[] {
  const seen: T[] = [];
  emitter.on(name, (value: T) => seen.push(value));
  return seen;
}

/**
 * A raw TLS connection that speaks lines, for hostile clients: whatever the
 * test writes goes out as is, and every line the server sends is parsed.
 */
export async function rawConnection(
  started: Started,
  credentials: { ca: string; cert?: string; key?: string },
): Promise<{
  socket: TLSSocket;
  frames: ServerFrame[];
  closed: Promise<void>;
  nextFrame: (type?: string) => Promise<ServerFrame>;
}> {
  const socket = tls.connect({
    host: '127.0.0.1',
    port: started.port,
    servername: 'localhost',
    ...credentials,
  });
  const frames: ServerFrame[] = [];
  const waiters: Array<{ type: string | undefined; resolve: (f: ServerFrame) => void }> = [];
  let buffer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let index = buffer.indexOf('\n');
    while (index >= 0) {
      const frame = JSON.parse(buffer.slice(0, index)) as ServerFrame;
      buffer = buffer.slice(index + 1);
      frames.push(frame);
      const waiter = waiters.findIndex((w) => w.type === undefined || w.type === frame.type);
      if (waiter >= 0) waiters.splice(waiter, 1)[0]?.resolve(frame);
      index = buffer.indexOf('\n');
    }
  });
  socket.on('error', () => {});
  const closed = once(socket, 'close').then(() => undefined);
  await once(socket, 'secureConnect');
  const nextFrame = (type?: string) =>
    new Promise<ServerFrame>((resolve) => {
      const already = frames.findIndex((f) => type === undefined || f.type === type);
      if (already >= 0) {
        resolve(frames.splice(already, 1)[0] as ServerFrame);
        return;
      }
      waiters.push({
        type,
        resolve: (f) => resolve(frames.splice(frames.indexOf(f), 1)[0] as ServerFrame),
      });
    });
  return { socket, frames, closed, nextFrame };
}

/**
 * hello as `user`, then `password` when the server asks for it: the answer
 * (welcome or error), whether it asked, and how long the answer took after
 * the password was sent, in ms.
 */
export async function passwordLogin(team: Team, started: Started, user: string, password: string) {
  const raw = await rawConnection(started, await team.credentials(user));
  raw.socket.write(`${JSON.stringify({ type: 'hello', v: 1, client: 'test/1' })}\n`);
  const first = await raw.nextFrame();
  if (first.type !== 'auth') return { raw, answer: first, asked: false };
  assert.deepEqual(first, { type: 'auth', user });
  const sentAt = Date.now();
  raw.socket.write(`${JSON.stringify({ type: 'auth', password })}\n`);
  const answer = await raw.nextFrame();
  return { raw, answer, asked: true, tookMs: Date.now() - sentAt };
}
