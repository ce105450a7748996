import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_USER_CERTS, USER_PATTERN } from '../net/protocol/frames.ts';
import { commonNameOf, signedBy } from '../pki/inspect.ts';
import { credentialUser, pkiLayout } from '../pki/layout.ts';

/** What the key directory checks a certificate against: the team's CA and the CRL in force. */
export interface DirectoryTrust {
  /** The CA in force (it changes when the server reloads its TLS material). */
  ca: () => X509Certificate | undefined;
  revokes: (serial: string) => boolean;
  now: () => number;
}

/**
 * The key directory (the `keys` frame): every valid, unrevoked certificate
 * whose CN is a user, one per device. Two sources: the certificates `chat
 * certs` and `chat invite` left in the server's certs folder
 * (clients/NAME.crt and clients/NAME@DEVICE.crt, read at each question so
 * that one issued while the server runs counts at once), and those that
 * proved themselves in a handshake since the server started (a device
 * whose file is on another machine). Each is checked at each question:
 * signed by the CA, within its dates, not revoked, CN the user. Clients
 * check again; the server only saves them a useless seal.
 */
export class KeyDirectory {
  private readonly clientsDir: string;
  /** DER of certificates seen in handshakes, by user, by fingerprint. */
  private readonly seen = new Map<string, Map<string, Buffer>>();

  constructor(
    certsDir: string,
    private readonly trust: DirectoryTrust,
  ) {
    this.clientsDir = pkiLayout(certsDir).clientsDir;
  }

  /** A certificate TLS accepted for `user`: kept until the server stops (bounded per user). */
  saw(user: string, der: Buffer, fingerprint: string): void {
    let prints = this.seen.get(user);
    if (!prints) {
      prints = new Map();
      this.seen.set(user, prints);
    }
    if (prints.has(fingerprint)) return;
    // A user cannot grow the map without end by getting new certificates:
    // each needs the CA, and the oldest seen gives way.
    if (prints.size >= MAX_USER_CERTS) {
      const oldest = prints.keys().next().value;
      if (oldest !== undefined) prints.delete(oldest);
    }
    prints.set(fingerprint, Buffer.from(der));
  }

  /** True when a certificate file of `user` is in the certs folder (valid or not). */
  hasFile(user: string): boolean {
    return this.files(user).length > 0;
  }

  /**
   * The certificates of `user` that hold now, DER in base64, sorted and
   * distinct, at most MAX_USER_CERTS (the ones that expire last).
   */
  certificatesOf(user: string): string[] {
    if (!USER_PATTERN.test(user)) return [];
    const candidates = new Map<string, X509Certificate>();
    for (const file of this.files(user)) {
      const cert = readCertificate(join(this.clientsDir, file));
      if (cert) candidates.set(cert.fingerprint256, cert);
    }
    for (const [print, der] of this.seen.get(user) ?? []) {
      if (!candidates.has(print)) candidates.set(print, new X509Certificate(der));
    }
    const now = this.trust.now();
    const valid = [...candidates.values()].filter((cert) => this.holds(cert, user, now));
    valid.sort((a, b) => Date.parse(b.validTo) - Date.parse(a.validTo));
    return valid
      .slice(0, MAX_USER_CERTS)
      .map((cert) => cert.raw.toString('base64'))
      .sort();
  }

  private holds(cert: X509Certificate, user: string, now: number): boolean {
    const ca = this.trust.ca();
    return (
      ca !== undefined &&
      commonNameOf(cert) === user &&
      signedBy(cert, ca) &&
      Date.parse(cert.validFrom) <= now &&
      now <= Date.parse(cert.validTo) &&
      !this.trust.revokes(cert.serialNumber)
    );
  }

  private files(user: string): string[] {
    if (!USER_PATTERN.test(user)) return [];
    let names: string[];
    try {
      names = readdirSync(this.clientsDir);
    } catch {
      return [];
    }
    return names.filter(
      (name) => name.endsWith('.crt') && credentialUser(name.slice(0, -'.crt'.length)) === user,
    );
  }
}

function readCertificate(path: string): X509Certificate | undefined {
  try {
    return new X509Certificate(readFileSync(path));
  } catch {
    // Unreadable or not a certificate: `chat certs list` says so; here it is no key.
    return undefined;
  }
}

const parsedCas = new WeakMap<object, X509Certificate | undefined>();

/** The CA certificate of TLS options (the first when several), parsed once per options object. */
export function caOf(tls: { options: { ca?: unknown } }): X509Certificate | undefined {
  const { options } = tls;
  if (parsedCas.has(options)) return parsedCas.get(options);
  const ca = Array.isArray(options.ca) ? options.ca[0] : options.ca;
  let cert: X509Certificate | undefined;
  try {
    cert = typeof ca === 'string' || Buffer.isBuffer(ca) ? new X509Certificate(ca) : undefined;
  } catch {
    cert = undefined;
  }
  parsedCas.set(options, cert);
  return cert;
}
