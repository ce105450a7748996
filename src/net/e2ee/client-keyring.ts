import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { ClientCredentials } from '../client-types.ts';
import { isMessageText } from '../protocol/message-frame-check.ts';
import { DmKeyring, type PinStore } from './dm-keyring.ts';

/** What a keyring asks the server: the key directory of a ChatClient. */
export interface KeySource {
  keys(user: string): Promise<{ certs: readonly string[] }>;
}

/**
 * The keyring of a client connected as `me` with `credentials`: it signs
 * and reads with this device's certificate and key, checks the directory
 * against the team CA in the credentials, and pins in `pins`.
 */
export function keyringFor(
  source: KeySource,
  credentials: ClientCredentials,
  me: string,
  pins: PinStore,
  now: () => number = Date.now,
): DmKeyring {
  const ca = new X509Certificate(credentials.ca);
  const own = new X509Certificate(credentials.cert);
  return new DmKeyring({
    me,
    signer: { fingerprint: own.fingerprint256, privateKey: createPrivateKey(credentials.key) },
    // The client has no CRL of its own: the server leaves revoked ones out.
    trust: () => ({ ca, revokes: () => false, now: now() }),
    fetchKeys: async (user) => (await source.keys(user)).certs,
    pins,
    isText: isMessageText,
  });
}
