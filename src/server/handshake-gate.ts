import { AddressCounts } from './address-counts.ts';

/** The caps on sockets accepted and not yet through TLS (unauthenticated). */
export interface HandshakeCaps {
  /** Sockets in their handshake at once, in all (count). */
  maxHandshakes: number;
  /** Sockets in their handshake at once from one address, or one IPv6 /64 (count). */
  maxHandshakesPerAddress: number;
}

/** What the gate says to a new socket: come in, or which cap is full. */
export type Admission = 'admitted' | 'address_full' | 'server_full';

/**
 * Counts sockets that have not proven who they are yet, in all and per
 * address, and says at accept whether one more may begin its TLS handshake.
 * Pure: no sockets, no clock. The caller releases each admitted socket once.
 */
export class HandshakeGate {
  private readonly counts = new AddressCounts();

  constructor(private readonly caps: HandshakeCaps) {}

  /**
   * Counts a new socket from `address` when both caps leave room. The
   * address's own cap is checked first, so a flooding address is named as
   * such even when the server is full too.
   */
  admit(address: string): Admission {
    const key = addressKey(address);
    if (this.counts.of(key) >= this.caps.maxHandshakesPerAddress) return 'address_full';
    if (this.counts.total >= this.caps.maxHandshakes) return 'server_full';
    this.counts.add(key);
    return 'admitted';
  }

  /** Gives back the place of a socket admitted from `address`. */
  release(address: string): void {
    this.counts.remove(addressKey(address));
  }

  /** Sockets admitted and not released, in all. */
  get total(): number {
    return this.counts.total;
  }

  /** Sockets admitted and not released from `address` (its /64 for IPv6). */
  of(address: string): number {
    return this.counts.of(addressKey(address));
  }
}

/**
 * The key a peer is counted and logged under: an IPv4 address as is (also
 * when written IPv4-mapped, `::ffff:a.b.c.d`), an IPv6 address as its /64,
 * since one host commonly holds a whole /64 and could spread a flood over it.
 */
export function addressKey(address: string): string {
  const plain = address.replace(/%.*$/, '').toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(plain);
  if (mapped) return mapped[1] as string;
  if (!plain.includes(':')) return plain;
  const [head = '', tail] = plain.split('::');
  const front = head === '' ? [] : head.split(':');
  const back = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups =
    tail === undefined
      ? front
      : [
          ...front,
          ...Array<string>(Math.max(0, 8 - front.length - back.length)).fill('0'),
          ...back,
        ];
  const prefix = groups.slice(0, 4).map((g) => (Number.parseInt(g, 16) || 0).toString(16));
  while (prefix.length < 4) prefix.push('0');
  return `${prefix.join(':')}::/64`;
}
