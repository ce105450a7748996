/**
 * What each kind of certificate in the team's PKI says about itself: subject,
 * extensions and validity. Pure data, fed to the issuer.
 */

/** The three kinds of certificate `chat certs` makes. */
export type CertKind = 'ca' | 'server' | 'client';

/** Key algorithm of the whole PKI: EC P-256 by default for fast handshakes. */
export type KeySpec = { type: 'ec' } | { type: 'rsa'; size: 2048 | 3072 | 4096 };

/** Default lifetimes in days: the CA outlives every certificate it signs. */
export const DEFAULT_CA_DAYS = 3650;
export const DEFAULT_LEAF_DAYS = 825;

/** Certificates closer than this to their expiry are listed as "expires soon" (days). */
export const EXPIRES_SOON_DAYS = 30;

/** The server certificate always answers to these, so a local server just works. */
export const DEFAULT_SERVER_HOSTS: readonly string[] = ['localhost'];
export const DEFAULT_SERVER_IPS: readonly string[] = ['127.0.0.1', '::1'];

/** The CN of the team's CA. */
export const CA_COMMON_NAME = 'chat team CA';

/** Extension in the shape selfsigned takes (a subset of its own types). */
export type Extension =
  | { name: 'basicConstraints'; cA: boolean; pathLenConstraint?: number; critical: boolean }
  | {
      name: 'keyUsage';
      critical: boolean;
      digitalSignature?: boolean;
      keyEncipherment?: boolean;
      keyCertSign?: boolean;
      cRLSign?: boolean;
    }
  | { name: 'extKeyUsage'; critical: boolean; serverAuth?: boolean; clientAuth?: boolean }
  | {
      name: 'subjectAltName';
      critical: boolean;
      altNames: Array<{ type: 2; value: string } | { type: 7; ip: string }>;
    };

/** Everything the issuer needs besides keys and dates. */
export interface Profile {
  kind: CertKind;
  commonName: string;
  extensions: Extension[];
}

/** A CA that may sign leaves only (pathlen 0): there are no intermediate CAs here. */
export function caProfile(): Profile {
  return {
    kind: 'ca',
    commonName: CA_COMMON_NAME,
    extensions: [
      { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  };
}

// RSA key exchange is not offered by our TLS settings, but keyEncipherment
// keeps strict RSA peers happy; EC keys must not carry it.
function leafKeyUsage(key: KeySpec): Extension {
  return key.type === 'rsa'
    ? { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true }
    : { name: 'keyUsage', digitalSignature: true, critical: true };
}

/** The server certificate: CN localhost, SANs for the loopback names plus any given. */
export function serverProfile(
  key: KeySpec,
  hosts: readonly string[],
  ips: readonly string[],
): Profile {
  const dns = unique([...DEFAULT_SERVER_HOSTS, ...hosts]);
  const addresses = unique([...DEFAULT_SERVER_IPS, ...ips]);
  return {
    kind: 'server',
    commonName: 'localhost',
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      leafKeyUsage(key),
      { name: 'extKeyUsage', serverAuth: true, critical: false },
      {
        name: 'subjectAltName',
        critical: false,
        altNames: [
          ...dns.map((value) => ({ type: 2 as const, value })),
          ...addresses.map((ip) => ({ type: 7 as const, ip })),
        ],
      },
    ],
  };
}

/** A client certificate: the CN is the user's identity on the server. */
export function clientProfile(key: KeySpec, user: string): Profile {
  return {
    kind: 'client',
    commonName: user,
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      leafKeyUsage(key),
      { name: 'extKeyUsage', clientAuth: true, critical: false },
    ],
  };
}

/**
 * The validity window of a new certificate: from `now` for `days`, but never
 * past the issuer's own expiry, since a chain is only as valid as its CA.
 */
export function validity(
  now: Date,
  days: number,
  issuerNotAfter?: Date,
): { notBefore: Date; notAfter: Date } {
  // Backdate a minute so a peer whose clock is slightly behind still accepts it.
  const notBefore = new Date(now.getTime() - 60_000);
  // `days` long in all, the backdated minute included: 825 days and a
  // minute is past what browsers and auditors (testssl) accept.
  const wanted = new Date(notBefore.getTime() + days * 86_400_000);
  const notAfter = issuerNotAfter && issuerNotAfter < wanted ? issuerNotAfter : wanted;
  return { notBefore, notAfter };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
