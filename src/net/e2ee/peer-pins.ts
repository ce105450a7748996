/**
 * Which certificates of each peer this user trusts their DMs to: trust on
 * first use, then what the user confirmed with `/verify`. The first time a
 * peer's certificates are seen they are pinned. Later, a peer whose
 * certificates are all pinned is "the same"; one who lost a certificate (a
 * revoked device) keeps the rest pinned as they were; one who shows a
 * certificate not pinned is either re-pinned (never verified: the DM window
 * says so) or, once verified, held back: the new certificate is not
 * trusted until the user accepts it or verifies again (`sealableFor` never
 * names it), and the caller holds new DMs to that peer until then. Pure:
 * the book is a value, the profile keeps it.
 */

/** What is pinned for one peer. */
export interface PeerPin {
  /** SHA-256 fingerprints of the certificates DMs are sealed for, sorted. */
  fingerprints: readonly string[];
  /** The user compared the safety number for exactly these certificates. */
  verified: boolean;
}

/** Pins by user name. */
export type PinBook = Readonly<Record<string, PeerPin>>;

/** What seeing a peer's certificates means. */
export type Sighting =
  /** Never seen: now pinned, not verified. */
  | { kind: 'first'; book: PinBook }
  /** Every certificate pinned already (some pinned ones may be gone; the rest stay as they were). */
  | { kind: 'same'; book: PinBook }
  /** A certificate not pinned, for a peer never verified: pinned now, said in passing. */
  | { kind: 'repinned'; added: readonly string[]; book: PinBook }
  /** A certificate not pinned, for a verified peer: nothing changes until the user decides. */
  | { kind: 'changed'; added: readonly string[]; book: PinBook };

const sorted = (fingerprints: readonly string[]) => [...new Set(fingerprints)].sort();

function withPin(book: PinBook, user: string, pin: PeerPin): PinBook {
  return { ...book, [user]: pin };
}

/** What `fingerprints` (the peer's valid certificates, as the key directory gave them) mean for `book`. */
export function sight(book: PinBook, user: string, fingerprints: readonly string[]): Sighting {
  const seen = sorted(fingerprints);
  const pin = Object.hasOwn(book, user) ? book[user] : undefined;
  if (!pin) {
    return { kind: 'first', book: withPin(book, user, { fingerprints: seen, verified: false }) };
  }
  const added = seen.filter((fp) => !pin.fingerprints.includes(fp));
  if (added.length === 0) {
    const kept = pin.fingerprints.filter((fp) => seen.includes(fp));
    const same = kept.length === pin.fingerprints.length;
    return {
      kind: 'same',
      book: same ? book : withPin(book, user, { fingerprints: kept, verified: pin.verified }),
    };
  }
  if (!pin.verified) {
    return {
      kind: 'repinned',
      added,
      book: withPin(book, user, { fingerprints: seen, verified: false }),
    };
  }
  return { kind: 'changed', added, book };
}

/** The user compared the safety number computed over `fingerprints` and it matched. */
export function markVerified(
  book: PinBook,
  user: string,
  fingerprints: readonly string[],
): PinBook {
  return withPin(book, user, { fingerprints: sorted(fingerprints), verified: true });
}

/** The user accepts a changed set without verifying it: pinned, no longer verified. */
export function acceptChange(
  book: PinBook,
  user: string,
  fingerprints: readonly string[],
): PinBook {
  return withPin(book, user, { fingerprints: sorted(fingerprints), verified: false });
}

/**
 * Of `fingerprints` (the peer's certificates now), those a DM may be sealed
 * for: the pinned ones. Empty when none is pinned: the DM waits.
 */
export function sealableFor(
  book: PinBook,
  user: string,
  fingerprints: readonly string[],
): string[] {
  const pin = Object.hasOwn(book, user) ? book[user] : undefined;
  return pin ? sorted(fingerprints).filter((fp) => pin.fingerprints.includes(fp)) : [];
}
