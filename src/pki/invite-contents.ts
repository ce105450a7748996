import { X509Certificate } from 'node:crypto';
import { ChatError } from '../errors.ts';
import { isDialablePort, normalizeHost, type ServerAddress } from '../net/server-address.ts';
import { commonNameOf, signedBy } from './inspect.ts';
import { keyMatchesCertificate, parsePrivateKey } from './keys.ts';
import { USER_NAME_PATTERN } from './names.ts';

/** Most server addresses one invite may name. */
export const MAX_SERVERS = 16;

/** What an invite carries, once opened and checked. */
export interface InviteContents {
  /** The team's name, the default name of the profile it becomes. */
  team: string;
  /** The teammate's user name, the CN of `cert`. */
  user: string;
  /** The team CA's certificate (PEM). */
  caCert: string;
  /** The teammate's certificate (PEM), signed by the CA. */
  cert: string;
  /** The teammate's private key (PEM). */
  key: string;
  /** Where the team's server is, in order of preference. */
  servers: ServerAddress[];
  /** SHA-256 of the CA certificate, colon-separated hex as X509Certificate.fingerprint256. */
  caFingerprint: string;
}

/**
 * Checks that an invite holds together at `now`: the CA certificate is a CA
 * and has the fingerprint it was sealed with, the teammate's certificate is
 * signed by it, names the user and is valid now, the key is that
 * certificate's, and every server address can be dialed. Returns the
 * contents with the server addresses normalised; INVITE_INVALID otherwise.
 */
export function checkInviteContents(
  contents: InviteContents,
  now: Date,
  label: string,
): InviteContents {
  const { user } = contents;
  if (!USER_NAME_PATTERN.test(user)) throw invalid(label, `an invalid user name`);
  const ca = parseCertificate(contents.caCert);
  if (!ca?.ca) throw invalid(label, 'no readable CA certificate');
  if (ca.fingerprint256 !== contents.caFingerprint)
    throw invalid(label, 'a CA certificate that does not match the fingerprint it was sealed with');
  const cert = parseCertificate(contents.cert);
  if (!cert) throw invalid(label, `no readable certificate for ${user}`);
  if (!signedBy(cert, ca))
    throw invalid(label, `a certificate for ${user} that its CA did not sign`);
  if (commonNameOf(cert) !== user)
    throw invalid(label, `a certificate for ${commonNameOf(cert) || 'nobody'}, not for ${user}`);
  let keyMatches = false;
  try {
    keyMatches = keyMatchesCertificate(parsePrivateKey(contents.key), cert);
  } catch {
    keyMatches = false;
  }
  if (!keyMatches) throw invalid(label, `a key that is not the one of ${user}'s certificate`);
  for (const [what, c] of [
    ['the team CA', ca],
    [`${user}'s certificate`, cert],
  ] as const) {
    if (Date.parse(c.validTo) < now.getTime())
      throw invalid(label, `${what}, which expired on ${day(c.validTo)}`);
    if (Date.parse(c.validFrom) > now.getTime()) {
      throw new ChatError(
        'INVITE_INVALID',
        `${label} holds ${what}, which is not valid before ${day(c.validFrom)}`,
        { hint: "check this machine's clock" },
      );
    }
  }
  const servers: ServerAddress[] = [];
  for (const server of contents.servers) {
    const host = normalizeHost(server.host);
    if (host === undefined || !isDialablePort(server.port))
      throw invalid(label, 'a server address that cannot be dialed');
    servers.push({ host, port: server.port });
  }
  if (servers.length === 0 || servers.length > MAX_SERVERS)
    throw invalid(label, `${servers.length} server addresses (1 to ${MAX_SERVERS} are allowed)`);
  return { ...contents, servers };
}

function parseCertificate(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

function day(text: string): string {
  return new Date(text).toISOString().slice(0, 10);
}

function invalid(label: string, what: string): ChatError {
  return new ChatError('INVITE_INVALID', `${label} holds ${what}`, {
    hint: 'ask the admin for a new invite',
  });
}
