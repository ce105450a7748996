/**
 * ngircd, Debian's IRC server, as the "real peer" reference of the fan-out
 * bench: TLS on a loopback port with the team's server certificate, every
 * limit and flood protection that would throttle a benchmark raised or off.
 *
 * What ngircd 26 limits, and what the config below does about it (from
 * ngircd.conf(5), doc/Modes.txt and src/ngircd/conn.c):
 * - Penalty time: commands add "penalty" seconds during which a connection
 *   is not read; `MaxPenaltyTime = 0` disables penalties altogether.
 * - Command throttling: a user gets 3 commands per read pass and a penalty
 *   past 256 bytes/s; user mode F ("relaxed flood protection") raises it to
 *   10 commands per pass and skips throttling. Only operators may set F,
 *   but `DefaultUserModes = F` gives it to every client at login.
 * - `MaxConnectionsIP` (5 by default) and `MaxConnections`: 0, unlimited.
 *   `MaxJoins` 0: unlimited channels per user.
 * - DNS and IDENT lookups at connect (`DNS`, `Ident`) and PAM: off.
 * - `PingTimeout`/`PongTimeout`: an hour, so no keep-alive traffic.
 * - Fixed at compile time, not configurable: a 2048-byte read buffer and a
 *   32 KiB write buffer per client (a client whose queue passes it is
 *   disconnected, "Write buffer space exhausted"; the bench counts such
 *   clients as disconnects and their messages as lost) and a listen backlog
 *   of 10 (the load connects in small batches).
 * - Not configurable either: accepted sockets keep Nagle's algorithm (ngircd
 *   sets IP_TOS low-delay but not TCP_NODELAY, seen with strace), so a small
 *   write can wait for the client's delayed ACK: about 40 ms on Linux.
 * - Each read takes at most 2048 bytes, and what GnuTLS decrypted beyond
 *   them (a longer record, or two records that came together) waits until
 *   the socket is readable again, that is until the client writes more. The
 *   load's IRC adapter writes at most 2000 bytes at a time, and an empty
 *   line when nothing has arrived for 100 ms (counted as nudges).
 *
 * ngircd's TLS backend on Debian is GnuTLS; it takes the PKI's EC P-256 key
 * (PKCS#8 PEM) as it is, so no RSA certificate is needed. It offers no TLS
 * session resumption to the load, so its clients connect with full handshakes.
 */
import { execFile, spawn } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type Server, track } from '../lib/servers.ts';

const run = promisify(execFile);

/** Where ngircd is looked for, Debian's path first. */
const CANDIDATES = ['/usr/sbin/ngircd', '/usr/local/sbin/ngircd', '/usr/bin/ngircd'];

/** What the config needs to know. */
export interface NgircdOptions {
  /** TLS port on 127.0.0.1. */
  port: number;
  certFile: string;
  keyFile: string;
  /** An empty directory, so no system-wide snippets (/etc/ngircd/ngircd.conf.d) are read. */
  includeDir: string;
}

/** The settings that lift ngircd's flood protection, as `name = value` for the output. */
export const FLOOD_SETTINGS = ['MaxPenaltyTime = 0', 'DefaultUserModes = F'] as const;

/** ngircd.conf for the bench: loopback only, TLS only, limits raised. */
export function ngircdConfig(options: NgircdOptions): string {
  return `# Written by bench/fanout.bench.ts (see bench/refs/ngircd.ts).
[Global]
  Name = bench.localhost
  Info = chat fan-out bench reference
  AdminInfo1 = chat fan-out bench
  AdminInfo2 = loopback only
  AdminEMail = bench@localhost
  Listen = 127.0.0.1
  # No plain-text port: TLS only.
  Ports =
  MotdPhrase = bench

[Limits]
  MaxConnections = 0
  MaxConnectionsIP = 0
  MaxJoins = 0
  ${FLOOD_SETTINGS[0]}
  PingTimeout = 3600
  PongTimeout = 3600

[Options]
  DNS = no
  Ident = no
  PAM = no
  ${FLOOD_SETTINGS[1]}
  IncludeDir = ${options.includeDir}

[SSL]
  CertFile = ${options.certFile}
  KeyFile = ${options.keyFile}
  Ports = ${options.port}
`;
}

async function findBinary(): Promise<string | undefined> {
  for (const path of CANDIDATES) {
    try {
      await access(path, constants.X_OK);
      return path;
    } catch {}
  }
  return undefined;
}

/**
 * The ngircd binary, installed with apt-get when missing and the bench runs
 * as root; otherwise a one-line reason why there is none. `say` gets a line
 * before a (slow) installation starts.
 */
export async function ensureNgircd(
  say: (line: string) => void,
): Promise<{ binary: string; version: string } | { unavailable: string }> {
  let binary = await findBinary();
  if (!binary) {
    if (process.getuid?.() !== 0) {
      return { unavailable: 'ngircd is not installed and the bench is not root to apt-get it' };
    }
    say('ngircd: not installed; apt-get install -y ngircd ...');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const install = () =>
      run('apt-get', ['install', '-y', '-q', 'ngircd'], { env, timeout: 300_000 });
    try {
      await install().catch(async () => {
        // A fresh image may have no package lists yet.
        await run('apt-get', ['update', '-q'], { env, timeout: 300_000 });
        await install();
      });
    } catch (error) {
      const reason = (error as Error).message.split('\n')[0];
      return { unavailable: `apt-get install ngircd failed: ${reason}` };
    }
    binary = await findBinary();
    if (!binary) return { unavailable: 'apt-get installed ngircd, but no binary was found' };
  }
  const { stdout } = await run(binary, ['--version'], { timeout: 10_000 }).catch(() => ({
    stdout: 'ngircd (version unknown)',
  }));
  return { binary, version: stdout.split('\n')[0]?.split('-')[0]?.trim() ?? 'ngircd' };
}

/** A free TCP port on 127.0.0.1 (ngircd cannot listen on port 0 and say which it got). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** A running ngircd and the file it logs to. */
export interface Ngircd extends Server {
  logFile: string;
  configFile: string;
}

/**
 * Starts ngircd in the foreground (`-n`) with a config in `dir`, and waits
 * until it listens; bounded at 30 s (GnuTLS may generate DH parameters).
 */
export async function startNgircd(
  binary: string,
  dir: string,
  tlsFiles: { certFile: string; keyFile: string },
): Promise<Ngircd> {
  const includeDir = join(dir, 'conf.d');
  await mkdir(includeDir, { recursive: true });
  const port = await freePort();
  const configFile = join(dir, 'ngircd.conf');
  const logFile = join(dir, 'ngircd.log');
  await writeFile(configFile, ngircdConfig({ port, includeDir, ...tlsFiles }));
  const log = openSync(logFile, 'a');
  const child = track(spawn(binary, ['-n', '-f', configFile], { stdio: ['ignore', log, log] }));
  closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error('ngircd could not be started');
  const deadline = Date.now() + 30_000;
  for (;;) {
    const text = await readFile(logFile, 'utf8').catch(() => '');
    if (/Server ".*" \(on ".*"\) ready\./.test(text) && text.includes(`:${port} `)) {
      return { child, pid, port, logFile, configFile };
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      const tail = text.trim().split('\n').slice(-3).join(' | ');
      throw new Error(`ngircd did not start: ${tail || 'no output'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** How many clients ngircd dropped for a full buffer, from its log. */
export async function ngircdDrops(logFile: string): Promise<number> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return (text.match(/buffer space exhausted/g) ?? []).length;
}
