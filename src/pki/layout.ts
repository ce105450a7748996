import { join } from 'node:path';

/** Where each file of the team's PKI lives inside the certs directory. */
export interface PkiLayout {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  crl: string;
  historyKey: string;
  clientsDir: string;
  /** Held by the `chat certs` command that is writing here (see lock.ts). */
  lock: string;
}

/** The lock file's name in a certs directory. */
const LOCK_FILE = '.lock';

/** The file layout of a certs directory (see README "Files"). */
export function pkiLayout(dir: string): PkiLayout {
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    serverCert: join(dir, 'server.crt'),
    serverKey: join(dir, 'server.key'),
    crl: join(dir, 'crl.pem'),
    historyKey: join(dir, 'history.key'),
    clientsDir: join(dir, 'clients'),
    lock: join(dir, LOCK_FILE),
  };
}

/**
 * The name of a user's certificate files under clients/: the user's name
 * for their first certificate, `user@device` for each further device's.
 */
export function credentialName(user: string, device?: string): string {
  return device === undefined ? user : `${user}@${device}`;
}

/** The user a credential name (a file's base name under clients/) belongs to. */
export function credentialUser(credential: string): string {
  const at = credential.indexOf('@');
  return at < 0 ? credential : credential.slice(0, at);
}

/** A user's (or one device's) certificate and key paths under clients/. */
export function clientPaths(
  layout: PkiLayout,
  user: string,
  device?: string,
): { cert: string; key: string } {
  const name = credentialName(user, device);
  return {
    cert: join(layout.clientsDir, `${name}.crt`),
    key: join(layout.clientsDir, `${name}.key`),
  };
}

/** Which kind of directory of the PKI a listing is of (see isPkiEntry). */
export type PkiDirKind = 'certs' | 'clients';

const CERTS_ENTRIES: ReadonlySet<string> = new Set([
  'README.md',
  'ca.crt',
  'ca.key',
  'server.crt',
  'server.key',
  'crl.pem',
  'history.key',
  'clients',
  // Left by `chat certs bundle` of earlier versions.
  'bundles',
  LOCK_FILE,
]);
const CLIENT_FILE = /^[a-z0-9_-]{1,32}(@[a-z0-9_-]{1,32})?\.(crt|key)$/;
// What writeFilesAtomically stages next to a target, left behind only by a crash.
const STAGED_FILE = /^\..+\.[0-9a-f]{12}\.tmp$/;

/**
 * True when `name`, an entry of a directory of `kind`, is one the PKI itself
 * puts there. A directory holding nothing else is ours to make private; one
 * that holds other things (a project, a shared folder) is not.
 */
export function isPkiEntry(name: string, kind: PkiDirKind = 'certs'): boolean {
  if (STAGED_FILE.test(name)) return true;
  if (kind === 'clients') return CLIENT_FILE.test(name);
  return CERTS_ENTRIES.has(name);
}

/** Size of the history encryption key in bytes (AES-256). */
export const HISTORY_KEY_BYTES = 32;
