import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { freePort } from './cli.ts';
import { tempDir } from './pki.ts';

/** A redis-server of a test's own: its port, its temporary directory (the AOF lives there). */
export interface TestRedis {
  port: number;
  dir: string;
  url: string;
  /** Stops it with SHUTDOWN's SIGTERM and waits for it to exit. */
  stop(): Promise<void>;
  /** Kills it with SIGKILL (no shutdown, no last fsync) and waits for it to exit. */
  kill9(): Promise<void>;
  /** Starts it again on the same port and directory: it loads the same AOF. */
  restart(): Promise<void>;
  /** Stops it if it runs and removes its directory. */
  cleanup(): Promise<void>;
}

/** Options for {@link startRedis}: `appendfsync` defaults to `always`, as `chat serve --redis` wants. */
export interface RedisOptions {
  appendfsync?: 'always' | 'everysec' | 'no';
  appendonly?: boolean;
  /** `--requirepass`: clients must AUTH with it. */
  password?: string;
}

/**
 * Starts `redis-server` on a free loopback port in a temporary directory,
 * AOF on, no RDB snapshots; resolves once it accepts connections (its
 * "Ready to accept connections" line, no fixed wait).
 */
export async function startRedis(options: RedisOptions = {}): Promise<TestRedis> {
  const dir = await tempDir();
  const port = await freePort();
  const args = [
    ...['--appendonly', options.appendonly === false ? 'no' : 'yes'],
    ...['--appendfsync', options.appendfsync ?? 'always'],
    ...['--save', ''],
    ...['--dir', dir.path],
    ...['--port', String(port)],
    ...['--bind', '127.0.0.1'],
    ...(options.password === undefined ? [] : ['--requirepass', options.password]),
  ];
  let child: ChildProcess | undefined;

  const launch = async () => {
    const started = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child = started;
    let said = '';
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        said += chunk.toString('utf8');
        if (/Ready to accept connections/.test(said)) {
          started.stdout?.off('data', onData);
          started.stdout?.resume();
          resolve();
        }
      };
      started.stdout?.on('data', onData);
      started.stderr?.resume();
      started.once('error', reject);
      started.once('exit', (code) =>
        reject(new Error(`redis-server exited (${code}) before it was ready:\n${said}`)),
      );
    });
  };

  const end = async (signal: NodeJS.Signals) => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = once(running, 'exit');
    running.kill(signal);
    await exited;
  };

  await launch();
  return {
    port,
    dir: dir.path,
    url: `redis://127.0.0.1:${port}`,
    stop: () => end('SIGTERM'),
    kill9: () => end('SIGKILL'),
    restart: launch,
    cleanup: async () => {
      await end('SIGTERM');
      await dir.cleanup();
    },
  };
}
