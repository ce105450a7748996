/**
 * Counts wrong passwords per IP address and locks an address out after too
 * many. Pure: no sockets, no timers; every call is given the time (epoch ms),
 * so tests drive the clock.
 */

/** How strict a LoginGuard is. */
export interface LoginGuardOptions {
  /** Wrong passwords from one address that lock it out (5). */
  maxFailures: number;
  /** How long a lock-out lasts, in ms (5 minutes). */
  lockMs: number;
  /** Failures are forgotten after this long without another one, in ms (15 minutes). */
  forgetMs: number;
  /** Addresses remembered at most; past it the stalest unlocked ones are forgotten (10000). */
  maxAddresses: number;
}

export const DEFAULT_LOGIN_GUARD: LoginGuardOptions = {
  maxFailures: 5,
  lockMs: 5 * 60_000,
  forgetMs: 15 * 60_000,
  maxAddresses: 10_000,
};

/**
 * Whether a password may be checked now. `locked`: the address is locked out
 * for `retryInMs` more; `busy`: as many checks are already running for it as
 * it has failures left (so a burst of parallel guesses cannot get past the
 * count before the results are in).
 */
export type LoginStart =
  | { ok: true }
  | { ok: false; why: 'locked'; retryInMs: number }
  | { ok: false; why: 'busy' };

/** What a finished check did to its address. */
export interface LoginEnd {
  /** Failures counted for the address now (0 after a success or a new lock). */
  failures: number;
  /** Set when this failure locked the address out: for how long, in ms. */
  lockedForMs?: number;
}

interface AddressRecord {
  failures: number;
  lastFailureAt: number;
  lockedUntil: number;
  running: number;
}

export class LoginGuard {
  private readonly records = new Map<string, AddressRecord>();
  private readonly options: LoginGuardOptions;

  constructor(options: Partial<LoginGuardOptions> = {}) {
    this.options = { ...DEFAULT_LOGIN_GUARD, ...options };
  }

  /** How long `address` is still locked out, in ms, or undefined when it is not. */
  lockedFor(address: string, now: number): number | undefined {
    const until = this.records.get(address)?.lockedUntil ?? 0;
    return until > now ? until - now : undefined;
  }

  /** Asks to check a password from `address`; an `ok` start must be followed by one `end`. */
  begin(address: string, now: number): LoginStart {
    const retryInMs = this.lockedFor(address, now);
    if (retryInMs !== undefined) return { ok: false, why: 'locked', retryInMs };
    const record = this.fresh(address, now);
    if (record.failures + record.running >= this.options.maxFailures) {
      return { ok: false, why: 'busy' };
    }
    record.running += 1;
    this.records.set(address, record);
    return { ok: true };
  }

  /**
   * Records the result of a check begun with `begin`: a success forgets the
   * address's failures, a failure counts, and the last one allowed locks the
   * address out (and starts a new count for after the lock).
   */
  end(address: string, ok: boolean, now: number): LoginEnd {
    const record = this.fresh(address, now);
    record.running = Math.max(0, record.running - 1);
    if (ok) {
      record.failures = 0;
      this.keep(address, record, now);
      return { failures: 0 };
    }
    record.failures += 1;
    record.lastFailureAt = now;
    if (record.failures < this.options.maxFailures) {
      this.keep(address, record, now);
      return { failures: record.failures };
    }
    record.failures = 0;
    record.lockedUntil = now + this.options.lockMs;
    this.keep(address, record, now);
    return { failures: 0, lockedForMs: this.options.lockMs };
  }

  /** Ends a check begun with `begin` that could not be made (a server fault): nothing is counted. */
  release(address: string, now: number): void {
    const record = this.fresh(address, now);
    record.running = Math.max(0, record.running - 1);
    this.keep(address, record, now);
  }

  /** Addresses remembered now (for tests and stats). */
  get size(): number {
    return this.records.size;
  }

  // The address's record with stale failures forgotten (a new one if none).
  private fresh(address: string, now: number): AddressRecord {
    const record = this.records.get(address) ?? {
      failures: 0,
      lastFailureAt: 0,
      lockedUntil: 0,
      running: 0,
    };
    if (record.failures > 0 && now - record.lastFailureAt >= this.options.forgetMs) {
      record.failures = 0;
    }
    return record;
  }

  // Keeps a record only while it means something, within maxAddresses.
  private keep(address: string, record: AddressRecord, now: number): void {
    if (this.idle(record, now)) this.records.delete(address);
    else {
      this.records.delete(address); // re-inserted last: the map is in order of activity
      this.records.set(address, record);
    }
    if (this.records.size <= this.options.maxAddresses) return;
    for (const [key, other] of this.records) {
      if (this.records.size <= this.options.maxAddresses) break;
      // A lock or a running check is never dropped: that would let a flood of
      // other addresses wipe a lock-out.
      if (other.lockedUntil <= now && other.running === 0) this.records.delete(key);
    }
  }

  private idle(record: AddressRecord, now: number): boolean {
    return record.failures === 0 && record.running === 0 && record.lockedUntil <= now;
  }
}
