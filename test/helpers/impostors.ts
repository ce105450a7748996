import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import { pkiLayout } from '../../src/pki/layout.ts';

/**
 * Servers on a chat port that are not chat: `http` (plain HTTP), `echo`
 * (raw TCP that sends every byte back), `silent` (takes the TCP connection,
 * never answers), and over TLS with a certificate from `certsDir` (a team's
 * server certificate, so the client's checks pass): `https` (answers the
 * hello with "HTTP/1.1 400"), `tls-echo`, `tls-silent`, and `tls-json` (answers
 * each line with a JSON-RPC error: JSON lines, but not chat's).
 */
export type ImpostorKind =
  | 'http'
  | 'echo'
  | 'silent'
  | 'https'
  | 'tls-echo'
  | 'tls-silent'
  | 'tls-json';

/** A running impostor on a free loopback port; `close()` ends every connection and awaits the close. */
export interface Impostor {
  port: number;
  close(): Promise<void>;
}

/** Starts an impostor on 127.0.0.1, port 0; TLS kinds use `certsDir`'s server certificate. */
export async function startImpostor(kind: ImpostorKind, certsDir?: string): Promise<Impostor> {
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('error', () => {}); // the client hangs up as it likes
    socket.on('close', () => sockets.delete(socket));
  };
  const tlsOptions = async () => {
    if (certsDir === undefined) throw new Error(`${kind} needs a certs directory`);
    const layout = pkiLayout(certsDir);
    return {
      cert: await readFile(layout.serverCert, 'utf8'),
      key: await readFile(layout.serverKey, 'utf8'),
    };
  };
  let server: net.Server;
  switch (kind) {
    case 'http':
      server = http.createServer((_request, response) => response.end('hello'));
      break;
    case 'https':
      server = https.createServer(await tlsOptions(), (_request, response) => response.end('hi'));
      break;
    case 'echo':
      server = net.createServer((socket) => socket.pipe(socket));
      break;
    case 'silent':
      server = net.createServer(() => {});
      break;
    case 'tls-echo':
      server = tls.createServer(await tlsOptions(), (socket) => socket.pipe(socket));
      break;
    case 'tls-silent':
      server = tls.createServer(await tlsOptions(), () => {});
      break;
    case 'tls-json':
      server = tls.createServer(await tlsOptions(), (socket) => {
        socket.once('data', () => socket.write('{"jsonrpc":"2.0","error":{"code":-32700}}\n'));
      });
      break;
  }
  server.on('connection', track);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    port: (server.address() as AddressInfo).port,
    async close() {
      const closed = once(server, 'close');
      server.close();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
