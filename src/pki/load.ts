import { type KeyObject, X509Certificate } from 'node:crypto';
import { ChatError } from '../errors.ts';
import { fsReason, readOptional } from '../fs/files.ts';
import { type CrlContents, crlSignedBy, readCrl } from './crl.ts';
import type { CertAndKey } from './issue.ts';
import { keyMatchesCertificate, keySpecOf, parsePrivateKey, tryParseCertificate } from './keys.ts';
import type { PkiLayout } from './layout.ts';
import type { KeySpec } from './profiles.ts';

/** The team CA as read from disk: its certificate and, when loaded, its key. */
export interface LoadedCa {
  cert: X509Certificate;
  certPem: string;
}

/** A CA ready to sign: the key is there, readable and the certificate's own. */
export interface SigningCa extends LoadedCa {
  pems: CertAndKey;
  key: KeyObject;
  spec: KeySpec;
}

/** Reads ca.crt, with a one-line error and the fix when it is missing or garbage. */
export async function loadCaCert(layout: PkiLayout): Promise<LoadedCa> {
  const certPem = await readOptional(layout.caCert);
  if (certPem === undefined) {
    throw new ChatError(
      'NO_CA',
      `no certificate authority in ${layout.dir} (${layout.caCert} is missing)`,
      {
        hint: `create one with \`chat certs --dir ${layout.dir}\``,
      },
    );
  }
  const cert = tryParseCertificate(certPem);
  if (!cert?.ca) {
    throw new ChatError('CA_CERT_UNREADABLE', `${layout.caCert} is not a readable CA certificate`, {
      hint: 'restore it from your backup, or start a new CA with `chat certs --force`',
    });
  }
  return { cert, certPem };
}

/**
 * Reads the CA with its private key, refusing a key that is missing, garbage
 * or not the certificate's own, and a CA that has expired.
 */
export async function loadSigningCa(layout: PkiLayout, now: Date): Promise<SigningCa> {
  const ca = await loadCaCert(layout);
  const keyPem = await readOptional(layout.caKey).catch((cause: unknown) => {
    throw caKeyUnreadable(layout, cause);
  });
  if (keyPem === undefined) {
    throw new ChatError('CA_KEY_MISSING', `the CA key ${layout.caKey} is missing`, {
      hint: 'copy the CA key back from where you keep it offline, then run the command again',
    });
  }
  let key: KeyObject;
  try {
    key = parsePrivateKey(keyPem);
  } catch (cause) {
    throw new ChatError('CA_KEY_UNREADABLE', `${layout.caKey} is not a readable private key`, {
      hint: 'restore ca.key from your backup (or start a new CA with `chat certs --force`)',
      cause,
    });
  }
  if (!keyMatchesCertificate(key, ca.cert)) {
    throw new ChatError('CA_KEY_MISMATCH', `${layout.caKey} is not the key of ${layout.caCert}`, {
      hint: 'restore the matching ca.key from your backup (or start a new CA with `chat certs --force`)',
    });
  }
  if (new Date(ca.cert.validTo) < now) {
    throw new ChatError('CA_EXPIRED', `the CA expired on ${ca.cert.validTo}`, {
      hint: 'start a new CA with `chat certs --force`, then re-issue every client certificate',
    });
  }
  return { ...ca, key, spec: keySpecOf(key), pems: { cert: ca.certPem, key: keyPem } };
}

// A key we may not read is the CA key's problem, not the directory's: say so.
function caKeyUnreadable(layout: PkiLayout, cause: unknown): unknown {
  if (!(cause instanceof ChatError) || cause.code !== 'FILE_UNREADABLE') return cause;
  const reason = fsReason(cause.cause);
  return new ChatError('CA_KEY_UNREADABLE', `cannot read the CA key ${layout.caKey}: ${reason}`, {
    hint: `run the command as the user who owns ${layout.caKey}, or give it back to yourself with \`chmod 600 ${layout.caKey}\``,
    cause,
  });
}

/** A CA just made in memory, ready to sign like one loaded from disk. */
export function signingCaFrom(pems: CertAndKey): SigningCa {
  const cert = new X509Certificate(pems.cert);
  const key = parsePrivateKey(pems.key);
  return { cert, certPem: pems.cert, key, spec: keySpecOf(key), pems };
}

/** The CRL on disk: none yet, one from a previous CA, or this CA's. */
export type LoadedCrl =
  | { state: 'none' }
  | { state: 'stale' }
  | { state: 'current'; contents: CrlContents };

/**
 * Reads crl.pem. One signed by another CA is a leftover from before
 * `chat certs --force` and lists nothing of this CA's; garbage is an error,
 * since quietly ignoring it would un-revoke certificates.
 */
export async function loadCrl(layout: PkiLayout, ca: LoadedCa): Promise<LoadedCrl> {
  const pem = await readOptional(layout.crl);
  if (pem === undefined) return { state: 'none' };
  let contents: CrlContents;
  try {
    contents = readCrl(pem);
  } catch (cause) {
    throw new ChatError('CRL_UNREADABLE', `${layout.crl} is not a readable CRL`, {
      hint: 'restore it from your backup, then revoke again any certificate it listed',
      cause,
    });
  }
  // A CRL of another CA may not even use the same key algorithm: a failed
  // check is as much "not ours" as a false one.
  const ours = await crlSignedBy(pem, ca.certPem).catch(() => false);
  return ours ? { state: 'current', contents } : { state: 'stale' };
}
