import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { USER_PATTERN } from '../net/protocol/frames.ts';
import { pkiLayout } from '../pki/layout.ts';

/**
 * A test of whether a user has a client certificate in the server's certs
 * folder (`certs/clients/NAME.crt`, as `chat certs` issues them): such a
 * user may be sent direct messages before they ever connect. Looked up at
 * each call, so a certificate issued while the server runs counts at once;
 * asked only for a direct message to a user never welcomed.
 */
export function certificateOnFile(certsDir: string): (user: string) => boolean {
  const clients = pkiLayout(certsDir).clientsDir;
  // The pattern keeps the name a plain file name: no separators, no dots.
  return (user) => USER_PATTERN.test(user) && existsSync(join(clients, `${user}.crt`));
}
