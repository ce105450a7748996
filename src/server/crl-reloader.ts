import type { Logger } from 'pino';
import { crlSignedBy } from '../pki/crl.ts';
import type { ChatServer } from './chat-server.ts';
import { loadServerTls } from './tls-options.ts';

/**
 * A revoked certificate is cut off at once: `chat serve` reads the CRL
 * again when the file changes, and on SIGHUP when no terminal is attached
 * (a daemon's `kill -HUP`). Without a valid one the previous CRL stays in
 * force. Reloads run one at a time, in order: an older read never lands
 * after a newer one. Returns the function that asks for one (and why).
 */
export function crlReloader(
  server: ChatServer,
  config: { certsDir: string; tlsMin: Parameters<typeof loadServerTls>[1] },
  logger: Logger,
): (why: string) => Promise<void> {
  let reloads = Promise.resolve();
  const reloadNow = async (why: string) => {
    try {
      const next = await loadServerTls(config.certsDir, config.tlsMin);
      const { crl, ca } = next.options;
      // Another CA's CRL would make OpenSSL refuse every client: keep ours.
      if (typeof crl === 'string' && !(await crlSignedBy(crl, String(ca)))) {
        throw new Error('crl.pem is not signed by this CA');
      }
      server.reloadTls(next);
    } catch (error) {
      logger.warn(
        { why, err: error instanceof Error ? error.message : String(error) },
        'crl not reloaded: the previous one stays in force',
      );
    }
  };
  return (why) => {
    reloads = reloads.then(() => reloadNow(why));
    return reloads;
  };
}
