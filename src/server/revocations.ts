import { ChatError } from '../errors.ts';
import { readCrl } from '../pki/crl.ts';
import { normalizeSerial } from '../pki/keys.ts';
import type { ServerTls } from './tls-options.ts';

/** A CRL read and checked, not yet in force. */
export interface CrlUpdate {
  revoked: Set<string>;
  number: number;
}

/**
 * The serials the CRL in force revokes. TLS refuses them in new handshakes;
 * this set catches the sessions TLS let in before the CRL changed.
 */
export class Revocations {
  /** Serials (normalised). */
  private revoked = new Set<string>();
  /** The number of the CRL in force; -1: none. */
  private number = -1;

  /** Reads the CRL of `tls`, if any; a CRL that cannot be read stops the start. */
  constructor(tls: ServerTls, certsDir: string) {
    const crl = tls.options.crl;
    if (typeof crl !== 'string') return;
    let contents: ReturnType<typeof readCrl>;
    try {
      contents = readCrl(crl);
    } catch (cause) {
      throw new ChatError('CERT_UNREADABLE', `${certsDir}/crl.pem is not a readable CRL`, {
        hint: 'restore it from your backup, then revoke again anyone it listed',
        cause,
      });
    }
    this.adopt({ revoked: serialsOf(contents), number: contents.number });
  }

  /**
   * Serials another node of a cluster revoked (its CRL is newer than this
   * one's, until this node reloads its own): refused here too meanwhile.
   */
  private elsewhere = new Set<string>();

  /** Whether a certificate serial (as TLS reports it) is revoked. */
  revokes(serial: string): boolean {
    const normal = normalizeSerial(serial);
    return this.revoked.has(normal) || this.elsewhere.has(normal);
  }

  /** Serials revoked on another node of a cluster: refused from now on. */
  revokeElsewhere(serials: Iterable<string>): void {
    for (const serial of serials) this.elsewhere.add(normalizeSerial(serial));
  }

  /** The serials revoked by the CRL in force, normalized. */
  serials(): string[] {
    return [...this.revoked];
  }

  /**
   * Reads the CRL of new TLS material; undefined when it has none and none
   * was ever in force. Throws on a step back: a CRL gone, or older than the
   * one in force, would let revoked certificates in again.
   */
  check(tls: ServerTls): CrlUpdate | undefined {
    const crl = tls.options.crl;
    if (typeof crl !== 'string') {
      if (this.number >= 0) throw new Error('crl.pem is gone');
      return undefined;
    }
    const contents = readCrl(crl);
    if (contents.number < this.number) {
      throw new Error(
        `crl.pem is older (number ${contents.number}) than the one in force (${this.number})`,
      );
    }
    return { revoked: serialsOf(contents), number: contents.number };
  }

  /** Puts a checked CRL in force. */
  adopt(update: CrlUpdate): void {
    this.revoked = update.revoked;
    this.number = update.number;
  }

  /** Serials revoked now (count). */
  get size(): number {
    return this.revoked.size;
  }
}

function serialsOf(contents: ReturnType<typeof readCrl>): Set<string> {
  return new Set(contents.revocations.map((r) => normalizeSerial(r.serial)));
}
