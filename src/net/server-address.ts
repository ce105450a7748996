import { isIP } from 'node:net';
import { ChatError } from '../errors.ts';
import { isDnsName } from './host-name.ts';

/** A chat server as clients dial it: a DNS name or an IP address, and a TCP port. */
export interface ServerAddress {
  host: string;
  port: number;
}

/**
 * Reads `HOST`, `HOST:PORT`, `[IPV6]` or `[IPV6]:PORT` (a bare IPv6 address
 * takes `defaultPort`, as its colons leave no room for one). Names are
 * lowercased; a zone (fe80::1%eth0) names one machine's interface and is
 * refused. Pure; a bad address is a USAGE error naming `flag`.
 */
export function parseServerAddress(
  text: string,
  defaultPort: number,
  flag = '--server',
): ServerAddress {
  const bad = (why: string) =>
    new ChatError('USAGE', `invalid ${flag} ${JSON.stringify(text)}: ${why}`, {
      hint: `give HOST or HOST:PORT, as in ${flag} chat.example.com:8443 or ${flag} [2001:db8::1]:8443`,
    });
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1] ?? '';
    portText = bracketed[2];
    if (isIP(host) !== 6) throw bad('the brackets hold no IPv6 address');
  } else if ((text.match(/:/g) ?? []).length > 1) {
    host = text; // a bare IPv6 address
  } else {
    const colon = text.indexOf(':');
    host = colon < 0 ? text : text.slice(0, colon);
    portText = colon < 0 ? undefined : text.slice(colon + 1);
  }
  if (host.includes('%')) throw bad('an address with a zone names one machine only');
  if (host === '') throw bad('no host');
  if (isUnspecified(host))
    throw bad('it means "every interface" to a listening server, and no client can dial it');
  const normal = normalizeHost(host);
  if (normal === undefined) throw bad('not a host name or an IP address');
  host = normal;
  if (portText === undefined) return { host, port: defaultPort };
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65_535)
    throw bad('the port must be a number from 1 to 65535');
  return { host, port: Number(portText) };
}

/**
 * A host as a client may dial it: an IP address as it is, a DNS name in
 * lowercase; undefined for anything else (a zone, a wildcard, spaces).
 */
export function normalizeHost(host: string): string | undefined {
  if (isIP(host) !== 0) return host.includes('%') || isUnspecified(host) ? undefined : host;
  return isDnsName(host) ? host.toLowerCase() : undefined;
}

/** True for 0.0.0.0 and :: (however spelt): "every interface" to a listener, nothing to a client. */
export function isUnspecified(host: string): boolean {
  if (isIP(host) === 4) return host === '0.0.0.0';
  if (isIP(host) === 6) return new URL(`http://[${host}]/`).hostname === '[::]';
  return false;
}

/** True for an address only this machine can reach: localhost, 127.0.0.0/8, ::1. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return new URL(`http://[${host}]/`).hostname === '[::1]';
  return false;
}

/** True for a TCP port a client can dial: a whole number from 1 to 65535. */
export function isDialablePort(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65_535;
}

/** `host:port`, with an IPv6 address in brackets: how the address is shown and typed. */
export function formatServerAddress({ host, port }: ServerAddress): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
