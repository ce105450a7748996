/**
 * The bare reference for the benchmarks: the least a Node TLS fan-out server
 * can do. Mutual TLS 1.3 with the team's certificates (as `chat serve`),
 * newline frames, every line written to every other connection, writes
 * coalesced per tick; no protocol, no limits, no history. Its figures are
 * the ceiling for any Node server on this machine.
 *
 *   node --import tsx bench/refs/bare-fanout-server.ts --certs DIR [--port N]
 *
 * Says `{"msg":"listening","port":N,"pid":P}` on stderr, like `chat serve`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import tls, { type TLSSocket } from 'node:tls';

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(`--${name}`);
  return at > 0 ? (process.argv[at + 1] ?? fallback) : fallback;
};
const certs = arg('certs', 'certs');
const port = Number(arg('port', '0'));

const sockets = new Set<TLSSocket>();
const pending = new Map<TLSSocket, string[]>();
let flushing = false;

function flush(): void {
  flushing = false;
  for (const [socket, lines] of pending) socket.write(lines.join(''));
  pending.clear();
}

const server = tls.createServer(
  {
    ca: readFileSync(join(certs, 'ca.crt')),
    cert: readFileSync(join(certs, 'server.crt')),
    key: readFileSync(join(certs, 'server.key')),
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.3',
  },
  (socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.setEncoding('utf8');
    let partial = '';
    socket.on('data', (chunk: string) => {
      const text = partial + chunk;
      const end = text.lastIndexOf('\n');
      if (end < 0) {
        partial = text;
        return;
      }
      partial = text.slice(end + 1);
      const lines = text.slice(0, end + 1);
      for (const other of sockets) {
        if (other === socket) continue;
        const queue = pending.get(other);
        if (queue) queue.push(lines);
        else pending.set(other, [lines]);
      }
      if (!flushing) {
        flushing = true;
        setImmediate(flush);
      }
    });
    const gone = () => {
      sockets.delete(socket);
      pending.delete(socket);
    };
    socket.on('close', gone);
    socket.on('error', gone);
  },
);
server.on('tlsClientError', (_error, socket) => socket.destroy());
server.listen(port, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.stderr.write(
    `${JSON.stringify({ msg: 'listening', port: address.port, pid: process.pid })}\n`,
  );
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(0));
