/** What one address's handshakes came to over an interval, for one log line. */
export interface FailureSummary {
  /** The peer's key (see addressKey), or `others` for addresses past the tracking cap. */
  address: string;
  /** Failed or refused handshakes in the interval (count). */
  count: number;
  /** How many of `count` had each reason, e.g. `{ CERT_REVOKED: 2, timeout: 1 }`. */
  reasons: Record<string, number>;
  /** From the first failure recorded to the drain, in ms. */
  spanMs: number;
}

/** How much a HandshakeFailures may remember between drains. */
export interface FailureLimits {
  /** Addresses tracked one by one; failures from more are summed under `others`. */
  maxAddresses: number;
  /** Distinct reasons kept per address; more are summed under `other`. */
  maxReasons: number;
}

/** Default limits: a flood from many addresses costs at most this many entries. */
export const FAILURE_LIMITS: FailureLimits = { maxAddresses: 1_000, maxReasons: 8 };

/** The key failures from untracked addresses are summed under. */
export const OTHERS = 'others';

interface Tally {
  count: number;
  reasons: Map<string, number>;
  firstAt: number;
}

/**
 * Sums failed and refused handshakes per address between drains, so that a
 * flood makes one log line per address per interval instead of one per
 * socket. Pure and bounded: at most `maxAddresses` addresses with
 * `maxReasons` reasons each, whatever the flood.
 */
export class HandshakeFailures {
  private tallies = new Map<string, Tally>();
  private others: Tally | undefined;

  constructor(private readonly limits: FailureLimits = FAILURE_LIMITS) {}

  /** Counts one failure of `address` (its key) for `reason` at `now` (epoch ms). */
  record(address: string, reason: string, now: number): void {
    let tally = this.tallies.get(address);
    if (!tally) {
      if (this.tallies.size >= this.limits.maxAddresses) {
        this.others ??= { count: 0, reasons: new Map(), firstAt: now };
        tally = this.others;
      } else {
        tally = { count: 0, reasons: new Map(), firstAt: now };
        this.tallies.set(address, tally);
      }
    }
    tally.count += 1;
    const kept =
      tally.reasons.has(reason) || tally.reasons.size < this.limits.maxReasons ? reason : 'other';
    tally.reasons.set(kept, (tally.reasons.get(kept) ?? 0) + 1);
  }

  /** True when something waits to be drained. */
  get pending(): boolean {
    return this.tallies.size > 0 || this.others !== undefined;
  }

  /**
   * Everything recorded since the last drain: one summary per address in the
   * order first seen, then `others` if any; and starts over.
   */
  drain(now: number): FailureSummary[] {
    const summaries: FailureSummary[] = [];
    const add = (address: string, tally: Tally) => {
      summaries.push({
        address,
        count: tally.count,
        reasons: Object.fromEntries(tally.reasons),
        spanMs: Math.max(0, now - tally.firstAt),
      });
    };
    for (const [address, tally] of this.tallies) add(address, tally);
    if (this.others) add(OTHERS, this.others);
    this.tallies = new Map();
    this.others = undefined;
    return summaries;
  }
}
