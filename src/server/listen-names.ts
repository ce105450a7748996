import { X509Certificate } from 'node:crypto';
import { BlockList, isIP } from 'node:net';

/** The names a certificate answers to: its DNS and IP subjectAltName entries. */
export interface CertNames {
  dns: string[];
  ips: string[];
}

/** The DNS and IP entries of a PEM certificate's subjectAltName. */
export function certNames(pem: string): CertNames {
  const names: CertNames = { dns: [], ips: [] };
  for (const entry of (new X509Certificate(pem).subjectAltName ?? '').split(/,\s*/)) {
    if (entry.startsWith('DNS:')) names.dns.push(entry.slice(4).toLowerCase());
    else if (entry.startsWith('IP Address:')) names.ips.push(entry.slice(11));
  }
  return names;
}

const EVERY_INTERFACE = new Set(['0.0.0.0', '::', '']);
const LOCAL_NAMES = new Set(['localhost', '127.0.0.1', '::1', '0:0:0:0:0:0:0:1']);

/**
 * Why clients would refuse a server listening on `host` with a certificate
 * naming `names`, with the command that fixes it; undefined when they would
 * not. Every interface is fine once the certificate names anything besides
 * the loopback names `chat certs` always puts in; a given address or name
 * must be among the certificate's entries.
 */
export function listenWarning(host: string, names: CertNames): string | undefined {
  if (EVERY_INTERFACE.has(host)) {
    const others = [...names.dns, ...names.ips].filter((name) => !LOCAL_NAMES.has(name));
    if (others.length > 0) return undefined;
    return 'listening on every interface, but the server certificate names only localhost, 127.0.0.1 and ::1: clients on other machines will refuse it; run `chat certs server --host NAME --ip ADDRESS` with the names they dial, then restart chat serve';
  }
  const version = isIP(host);
  if (version === 0) {
    if (names.dns.includes(host.toLowerCase())) return undefined;
    return `the server certificate does not name ${host}: clients dialing it will refuse the server; run \`chat certs server --host ${host}\`, then restart chat serve`;
  }
  const named = new BlockList();
  for (const ip of names.ips) named.addAddress(ip, isIP(ip) === 6 ? 'ipv6' : 'ipv4');
  if (named.check(host, version === 6 ? 'ipv6' : 'ipv4')) return undefined;
  return `the server certificate does not name ${host}: clients dialing it will refuse the server; run \`chat certs server --ip ${host}\`, then restart chat serve`;
}
