/**
 * A redis-server of the bench's own, started as test/helpers/redis.ts starts
 * one for the tests: a free loopback port, a temporary directory, AOF on
 * with `appendfsync always` (what `chat serve --redis` wants by default), no
 * RDB snapshots. Its pid is for its CPU time in /proc; it is killed if the
 * bench exits without stopping it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { track } from './servers.ts';

/** A running redis-server. */
export interface BenchRedis {
  url: string;
  port: number;
  /** The redis-server process itself (spawned directly, no wrapper). */
  pid: number;
  /** `redis-server --version`'s first words, e.g. "Redis server v=7.0.15". */
  version: string;
  /** SIGTERM (SHUTDOWN), SIGKILL after `graceMs`; then its directory is removed. */
  stop(graceMs?: number): Promise<void>;
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** Resolves on "Ready to accept connections", rejects if it exits first or not within `timeoutMs`. */
function ready(child: ChildProcess, timeoutMs: number): Promise<void> {
  let said = '';
  return new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server was not ready within ${timeoutMs / 1000} s:\n${said}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      said += chunk.toString('utf8');
      if (/Ready to accept connections/.test(said)) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.resume();
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`redis-server could not start (is it installed?): ${error.message}`));
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`redis-server exited (${code}) before it was ready:\n${said.trim()}`));
    });
  });
}

/**
 * Starts redis-server on a free port in a fresh temporary directory. The
 * port is probed then given to Redis, so another process may take it in
 * between: a start that fails is tried again on another port, twice.
 */
export async function startRedis(timeoutMs = 10_000): Promise<BenchRedis> {
  const dir = await mkdtemp(join(tmpdir(), 'chat-bench-redis-'));
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const child = track(
      spawn(
        'redis-server',
        [
          ...['--appendonly', 'yes'],
          ...['--appendfsync', 'always'],
          ...['--save', ''],
          ...['--dir', dir],
          ...['--port', String(port)],
          ...['--bind', '127.0.0.1'],
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      ),
    );
    try {
      await ready(child, timeoutMs);
    } catch (error) {
      lastError = error as Error;
      continue;
    }
    const stop = async (graceMs = 5_000) => {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    };
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      pid: child.pid as number,
      version: await redisVersion(),
      stop,
    };
  }
  await rm(dir, { recursive: true, force: true });
  throw lastError ?? new Error('redis-server did not start');
}

async function redisVersion(): Promise<string> {
  const child = spawn('redis-server', ['--version'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  await once(child, 'exit');
  return out.split(' sha=')[0]?.trim() ?? 'redis-server';
}
