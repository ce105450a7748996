import { isIP } from 'node:net';

// RFC 1123 labels: letters, digits and inner hyphens, at most 63 characters each.
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i;

/** True for a DNS name a client can dial and a certificate can name: no wildcard, no space. Pure. */
export function isDnsName(host: string): boolean {
  return host.length <= 253 && host.split('.').every((label) => LABEL.test(label));
}

/**
 * The `chat certs server` flag that makes a certificate name `host`: an
 * address is named by an IP entry (--ip), a name by a DNS one (--host).
 */
export function certsServerFlag(host: string): '--ip' | '--host' {
  return isIP(host) === 0 ? '--host' : '--ip';
}
