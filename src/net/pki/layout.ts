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
  bundlesDir: string;
}

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
    bundlesDir: join(dir, 'bundles'),
  };
}

/** A user's certificate and key paths under clients/. */
export function clientPaths(layout: PkiLayout, user: string): { cert: string; key: string } {
  return {
    cert: join(layout.clientsDir, `${user}.crt`),
    key: join(layout.clientsDir, `${user}.key`),
  };
}

/** Permission bits: secrets for the owner only, certificates readable by all. */
export const SECRET_MODE = 0o600;
export const PUBLIC_MODE = 0o644;
export const DIR_MODE = 0o700;

/** Size of the history encryption key in bytes (AES-256). */
export const HISTORY_KEY_BYTES = 32;
