import { isIP } from 'node:net';
import { ChatError } from '../errors.ts';
import { validateHostName } from './names.ts';

/** Longest validity accepted anywhere, in days (100 years). */
export const MAX_DAYS = 36_500;

/** What is wrong with a --days value (as yargs parsed it: NaN for words), if anything. Pure. */
export function daysProblem(days: number): string | undefined {
  if (!Number.isInteger(days)) return 'not a whole number of days';
  if (days < 1 || days > MAX_DAYS) return `${days} days is out of range`;
  return undefined;
}

/** The hint for a refused --days. */
export const DAYS_HINT = `give a whole number of days from 1 to ${MAX_DAYS}`;

/** Checks a --days value: a whole number of days from 1 to 36500. */
export function validateDays(days: number, flag = '--days'): number {
  const problem = daysProblem(days);
  if (problem) {
    throw new ChatError('INVALID_DAYS', `invalid ${flag}: ${problem}`, { hint: DAYS_HINT });
  }
  return days;
}

/**
 * Checks the extra names for the server certificate; returns them normalised.
 * An IPv6 zone (fe80::1%eth0) names an interface of one machine and has no
 * place in a certificate, so it is refused rather than silently dropped.
 */
export function validateServerNames(
  hosts: readonly string[],
  ips: readonly string[],
): { hosts: string[]; ips: string[] } {
  for (const ip of ips) {
    const zone = ip.indexOf('%');
    if (zone >= 0 && isIP(ip) !== 0) {
      throw new ChatError(
        'INVALID_HOST',
        `invalid IP address ${JSON.stringify(ip)}: it has a zone`,
        {
          hint: `give it without the zone, as --ip ${ip.slice(0, zone)}`,
        },
      );
    }
    if (isIP(ip) === 0) {
      throw new ChatError('INVALID_HOST', `invalid IP address ${JSON.stringify(ip)}`, {
        hint: 'give an address such as 192.0.2.10 or 2001:db8::1 with --ip, or a name with --host',
      });
    }
  }
  // An address given as a name belongs in the IP entries: a DNS entry of
  // 192.0.2.2 never matches a client dialing 192.0.2.2.
  const addresses = hosts.filter((host) => isIP(host) !== 0);
  return {
    hosts: hosts.filter((host) => isIP(host) === 0).map(validateHostName),
    ips: [...new Set([...ips, ...addresses])],
  };
}
