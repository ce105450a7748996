import { connect } from 'node:net';

/**
 * True when something accepts TCP connections at host:port within
 * `timeoutMs` (ms). It sends nothing and closes at once, so a chat server
 * takes it for a port probe and logs nothing.
 */
export function portAnswers(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (answer: boolean) => {
      socket.destroy();
      resolve(answer);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    // A reset is an answer too: a busy server refuses new sockets that way.
    socket.once('error', (error: NodeJS.ErrnoException) => done(error.code === 'ECONNRESET'));
  });
}
