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
    fetchKeys: async (user) => (await within(source.keys(user), KEYS_TIMEOUT_MS)).certs,
    pins,
    isText: isMessageText,
  });
}

/** How long a `keys` question may go unanswered before the keyring gives up on it, in ms. */
export const KEYS_TIMEOUT_MS = 10_000;

// A server that never answers must not hold every sealed DM (and the frames
// behind them on screen) for good.
function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no keys answer within ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}
