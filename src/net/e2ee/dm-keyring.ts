/**
 * A client's end-to-end encryption of direct messages, over the key
 * directory: it fetches and checks the certificates of a peer and of its
 * own user (peer-keys.ts), keeps what was pinned for each peer
 * (peer-pins.ts, saved by the caller's PinStore), seals a DM for the
 * pinned certificates of the recipient and every certificate of the sender,
 * and opens what arrives against the sender's pinned certificate. Network
 * comes in as `fetchKeys`; what is known of a peer is asked again after
 * KEYS_FRESH_MS (so a revoked device drops out, a new one shows up, within
 * a minute) or at once when an envelope names a certificate not seen yet.
 */
import { createPublicKey } from 'node:crypto';
import { ChatError } from '../../errors.ts';
import type { DirectMessage } from '../protocol/frames.ts';
import {
  type DmContent,
  type DmEnvelope,
  type OpenFailure,
  openDm,
  sealDm,
} from './dm-envelope.ts';
import type { Signer } from './envelope-format.ts';
import { checkDirectory, type KeyTrust, type PeerKey } from './peer-keys.ts';
import {
  acceptChange,
  markVerified,
  type PinBook,
  type Sighting,
  sealableFor,
  sight,
} from './peer-pins.ts';
import { safetyNumber } from './safety-number.ts';

/** Where the pins live between runs (the profile's file, or memory in tests). */
export interface PinStore {
  load(): Promise<PinBook>;
  save(book: PinBook): Promise<void>;
}

export interface KeyringDeps {
  /** This client's user. */
  me: string;
  /** This device's certificate fingerprint and private key: it signs, and it reads. */
  signer: Signer;
  trust: () => KeyTrust;
  /** The key directory: base64 DER certificates of `user` (rejects for an unknown user). */
  fetchKeys: (user: string) => Promise<readonly string[]>;
  pins: PinStore;
  /** Whether a text may be shown: the rules of a dm frame's text. */
  isText: (text: string) => boolean;
}

/** Where a peer stands for this user. */
export type PeerTrust =
  /** The safety number was compared for exactly the certificates pinned. */
  | 'verified'
  /** Pinned on first use, never compared. */
  | 'unverified'
  /** Verified once, and now shows a certificate not compared: DMs to them wait. */
  | 'changed';

/** A message to seal, and what came of it. */
export type SealOutcome =
  | { ok: true; sealed: DmEnvelope }
  /** Held: `bob` shows a certificate the user has not accepted (see PeerTrust 'changed'). */
  | { ok: false; reason: 'changed'; added: readonly string[] }
  /** Nobody to seal for: every certificate of the peer is revoked, expired, or not the CA's. */
  | { ok: false; reason: 'no_keys' };

/** What an envelope that arrived turned out to be. */
export type Opened =
  | {
      ok: true;
      content: DmContent;
      /** The sender's time, signed. */
      sentAt: number;
      /** The id this same envelope was shown under before, when it is a copy relayed again. */
      copyOf?: number;
    }
  /** `keys_unavailable`: the key directory could not be asked (no connection). */
  | { ok: false; reason: OpenFailure | 'unknown_signer' | 'keys_unavailable' | 'pins_unreadable' };

/** How long a directory answer is used before it is asked again, in ms. */
export const KEYS_FRESH_MS = 60_000;

/** The most envelopes remembered for "shown before" (from, signer, cid). */
const MAX_SEEN = 10_000;

/** Something about a person's certificates the user should be told of. */
export interface KeyNews {
  user: string;
  /**
   * `repinned`: a peer never verified shows a new certificate, pinned now.
   * `held`: a verified peer, or the user themselves, shows one that is not
   * trusted until the user accepts it.
   */
  kind: 'repinned' | 'held';
  added: readonly string[];
}

/** What `/verify` showed, to be confirmed as shown and nothing else. */
export interface Shown {
  number: string;
  theirs: string[];
  mine: string[];
}

export class DmKeyring {
  private book: PinBook | undefined;
  /** What the directory gave per user, checked, and when it was asked. */
  private readonly known = new Map<string, { keys: PeerKey[]; at: number }>();
  /** Told whenever a pin changes (a first sighting, a verification, an acceptance). */
  private readonly watchers = new Set<() => void>();
  private readonly listeners = new Set<(news: KeyNews) => void>();
  /** Fingerprints already asked for again, so a stranger's envelope costs one question. */
  private readonly askedFor = new Set<string>();
  /** `from sfp cid` → the id it was first shown under. */
  private readonly seen = new Map<string, number>();
  /** Per user, the fingerprints already announced (KeyNews is said once per certificate). */
  private readonly announced = new Map<string, Set<string>>();
  /** The safety number last shown per peer. */
  private readonly shown = new Map<string, Shown>();
  /** Every read-and-write of the pins, one after another: none is lost to another. */
  private turn: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: KeyringDeps) {}

  /** The user this keyring seals and reads for. */
  get me(): string {
    return this.deps.me;
  }

  /** The peer's certificates that hold, asked of the directory unless asked within KEYS_FRESH_MS. */
  async keysOf(user: string, fresh = false): Promise<PeerKey[]> {
    const trust = this.deps.trust();
    const cached = this.known.get(user);
    if (cached && !fresh && trust.now - cached.at < KEYS_FRESH_MS) return cached.keys;
    const answer = await this.deps.fetchKeys(user);
    const { keys } = checkDirectory(user, answer, trust);
    this.known.set(user, { keys, at: trust.now });
    return keys;
  }

  /** The next change of any pin (a decision about a peer), and a way to stop waiting for it. */
  nextChange(): { changed: Promise<void>; cancel: () => void } {
    let stop: () => void = () => {};
    const changed = new Promise<void>((resolve) => {
      stop = this.watch(() => {
        stop();
        resolve();
      });
    });
    return { changed, cancel: () => stop() };
  }

  /** Calls `watcher` whenever a pin changes; returns what stops it. */
  watch(watcher: () => void): () => void {
    this.watchers.add(watcher);
    return () => {
      this.watchers.delete(watcher);
    };
  }

  /** Calls `listener` with each KeyNews; returns what stops it. */
  onNews(listener: (news: KeyNews) => void): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Where `peer` stands: verified, unverified, or changed since verified. */
  trustOf(peer: string): Promise<PeerTrust> {
    return this.exclusive(async () => {
      const { sighting } = await this.sight(peer);
      if (sighting.kind === 'changed') return 'changed';
      return sighting.book[peer]?.verified === true ? 'verified' : 'unverified';
    });
  }

  /**
   * Seals a DM to `to` (cid: the frame's ref): for every certificate of
   * theirs that is pinned, and every pinned certificate of this user's own
   * (a device of the user's that appeared since is not trusted until
   * accepted). Held when a verified peer shows a certificate not accepted yet.
   */
  seal(to: string, content: DmContent, cid: string, now: number): Promise<SealOutcome> {
    return this.sealThen(to, content, cid, now, () => undefined);
  }

  /**
   * As `seal`, and `use` (sending it) runs on the envelope before any later
   * seal starts: DMs go out in the order they were asked for.
   */
  sealThen(
    to: string,
    content: DmContent,
    cid: string,
    now: number,
    use: (sealed: DmEnvelope) => void,
  ): Promise<SealOutcome> {
    return this.exclusive(async (): Promise<SealOutcome> => {
      const { sighting, keys } = await this.sight(to);
      if (sighting.kind === 'changed')
        return { ok: false, reason: 'changed', added: sighting.added };
      const theirs = this.pinnedOf(to, keys);
      if (theirs.length === 0) return { ok: false, reason: 'no_keys' };
      const own =
        to === this.deps.me
          ? []
          : this.pinnedOf(this.deps.me, (await this.sight(this.deps.me)).keys);
      const readers = uniqueByFingerprint([...theirs, ...own, this.self()]);
      const sealed = sealDm({
        from: this.deps.me,
        to,
        cid,
        ts: now,
        content,
        signer: this.deps.signer,
        readers,
      });
      use(sealed);
      return { ok: true, sealed };
    });
  }

  /**
   * Opens a sealed DM as relayed (`frame.sealed` present): checks the
   * signature against the sender's pinned certificate, asking the directory
   * again once for a certificate not seen yet (a new device). Never throws.
   */
  async open(frame: DirectMessage): Promise<Opened> {
    const envelope = frame.sealed;
    if (!envelope) return { ok: false, reason: 'malformed' };
    let signer: PeerKey | undefined;
    try {
      signer = await this.exclusive(() => this.signerFor(frame.from, envelope.sfp));
    } catch (error) {
      const damaged = error instanceof ChatError && error.code === 'FILE_UNREADABLE';
      return { ok: false, reason: damaged ? 'pins_unreadable' : 'keys_unavailable' };
    }
    if (!signer) return { ok: false, reason: 'unknown_signer' };
    const opened = openDm(envelope, {
      from: frame.from,
      to: frame.to,
      signer,
      reader: this.deps.signer,
      isText: this.deps.isText,
    });
    if (!opened.ok) return opened;
    const key = `${frame.from} ${envelope.sfp} ${opened.cid}`;
    const first = this.seen.get(key);
    if (first === undefined) this.remember(key, frame.id);
    return {
      ok: true,
      content: opened.content,
      sentAt: opened.ts,
      ...(first === undefined || first === frame.id ? {} : { copyOf: first }),
    };
  }

  /**
   * The safety number of this user and `peer`: this user's half over the
   * certificates of theirs they trust (pinned, and this device's), the
   * peer's over what the directory shows now. A certificate slipped in for
   * either side makes the two screens differ: on the peer's screen their
   * own half has no such key. Remembered, so that `confirm` marks exactly
   * what was shown.
   */
  safetyNumberWith(peer: string): Promise<Shown> {
    return this.exclusive(async () => {
      if (peer === this.deps.me) {
        throw new ChatError('USAGE', 'your own devices are not compared by safety number', {
          hint: `a new device of yours is trusted with /accept ${peer} on a device you already trust`,
        });
      }
      const theirKeys = await this.keysOf(peer, true);
      const mineKeys = await this.ownKeys(true);
      const ownSpki = this.ownSpki();
      const publicKeys = (keys: PeerKey[]) =>
        keys.map((k) => (k.spki.length > 0 ? k.spki : ownSpki));
      const shown: Shown = {
        number: safetyNumber(
          { name: this.deps.me, publicKeys: publicKeys(mineKeys) },
          { name: peer, publicKeys: publicKeys(theirKeys) },
        ),
        theirs: theirKeys.map((k) => k.fingerprint),
        mine: mineKeys.map((k) => k.fingerprint),
      };
      this.shown.set(peer, shown);
      return shown;
    });
  }

  /**
   * The user compared the number `/verify` last showed for `peer` and it
   * matched: `peer` is verified for exactly the certificates it covered.
   * Refused when nothing was shown, or when the directory has changed since.
   */
  confirm(peer: string): Promise<Shown> {
    return this.exclusive(async () => {
      const shown = this.shown.get(peer);
      if (!shown) {
        throw new ChatError('USAGE', `no safety number with ${peer} was shown yet`, {
          hint: `/verify ${peer} shows it; compare it, then /verify ${peer} yes`,
        });
      }
      const now = (await this.keysOf(peer, true)).map((k) => k.fingerprint);
      const mine = (await this.ownKeys()).map((k) => k.fingerprint);
      if (now.join() !== shown.theirs.join() || mine.join() !== shown.mine.join()) {
        this.shown.delete(peer);
        throw new ChatError('USAGE', `the certificates changed since the number was shown`, {
          hint: `/verify ${peer} again and compare the new number`,
        });
      }
      await this.keep(markVerified(await this.pinBook(), peer, shown.theirs));
      return shown;
    });
  }

  /**
   * The user accepts, without comparing, what was announced of `peer` (a
   * new certificate of a verified peer, or a new device of the user's
   * own), and pins a peer never seen: the fingerprints now trusted. A
   * certificate that appeared and was not announced yet stays out (it is
   * announced at the next look). A peer accepted is unverified; the user's
   * own devices stay "verified", so the next new one is held again.
   */
  accept(peer: string): Promise<string[]> {
    return this.exclusive(async () => {
      const now = (await this.keysOf(peer, true)).map((k) => k.fingerprint);
      const book = await this.pinBook();
      const pin = Object.hasOwn(book, peer) ? book[peer] : undefined;
      const told = this.announced.get(peer) ?? new Set<string>();
      const trusted = pin ? now.filter((fp) => pin.fingerprints.includes(fp) || told.has(fp)) : now;
      await this.keep(
        peer === this.deps.me
          ? markVerified(book, peer, trusted)
          : acceptChange(book, peer, trusted),
      );
      return trusted;
    });
  }

  // One pin-book change at a time, in the order asked.
  private exclusive<T>(body: () => Promise<T>): Promise<T> {
    const run = this.turn.then(body);
    this.turn = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  // Pins what the directory shows of `user` now (call inside exclusive).
  // The user's own certificates are pinned as verified at first sight: a
  // device of theirs that shows up later is held, and said, until accepted.
  private async sight(
    user: string,
    fresh = false,
  ): Promise<{ sighting: Sighting; keys: PeerKey[] }> {
    const keys = await this.keysOf(user, fresh);
    const book = await this.pinBook();
    let sighting = sight(
      book,
      user,
      keys.map((k) => k.fingerprint),
    );
    if (sighting.kind === 'first' && user === this.deps.me) {
      sighting = {
        kind: 'first',
        book: markVerified(book, user, sighting.book[user]?.fingerprints ?? []),
      };
    }
    if (sighting.kind === 'repinned' || sighting.kind === 'changed') {
      const told = this.announced.get(user) ?? new Set<string>();
      this.announced.set(user, told);
      const added = sighting.added.filter((fp) => !told.has(fp));
      for (const fp of added) told.add(fp);
      const kind = sighting.kind === 'repinned' ? 'repinned' : 'held';
      if (added.length > 0) for (const listener of this.listeners) listener({ user, kind, added });
    }
    await this.keep(sighting.book);
    return { sighting, keys };
  }

  // This user's certificates they trust: the pinned ones, and this device's.
  private async ownKeys(fresh = false): Promise<PeerKey[]> {
    const { keys } = await this.sight(this.deps.me, fresh);
    return uniqueByFingerprint([...this.pinnedOf(this.deps.me, keys), this.self()]);
  }

  private pinnedOf(user: string, keys: readonly PeerKey[]): PeerKey[] {
    const pinned = sealableFor(
      this.book ?? {},
      user,
      keys.map((k) => k.fingerprint),
    );
    return keys.filter((k) => pinned.includes(k.fingerprint));
  }

  // This device's certificate, which reads its own echo even if the directory left it out.
  private self(): PeerKey {
    return {
      fingerprint: this.deps.signer.fingerprint,
      publicKey: createPublicKey(this.deps.signer.privateKey),
      spki: this.ownSpki(),
    };
  }

  private ownSpki(): Buffer {
    return createPublicKey(this.deps.signer.privateKey).export({ type: 'spki', format: 'der' });
  }

  // The sender's certificate an envelope may be opened with: a pinned one
  // (this device's own always). A peer never verified is pinned again on
  // first use of a new device; anyone else's new device is not trusted.
  private async signerFor(from: string, sfp: string): Promise<PeerKey | undefined> {
    if (from === this.deps.me && sfp === this.deps.signer.fingerprint) return this.self();
    const find = (keys: PeerKey[]) => keys.find((k) => k.fingerprint === sfp);
    if (!find(await this.keysOf(from)) && !this.askedFor.has(sfp)) {
      this.askedFor.add(sfp);
      await this.keysOf(from, true);
    }
    const { keys } = await this.sight(from);
    return find(this.pinnedOf(from, keys));
  }

  private remember(key: string, id: number): void {
    if (this.seen.size >= MAX_SEEN) {
      const oldest = this.seen.keys().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    this.seen.set(key, id);
  }

  private async pinBook(): Promise<PinBook> {
    this.book ??= await this.deps.pins.load();
    return this.book;
  }

  private async keep(book: PinBook): Promise<void> {
    if (book === this.book) return;
    this.book = book;
    await this.deps.pins.save(book);
    for (const watcher of this.watchers) watcher();
  }
}

// The first of each fingerprint: the directory's, before this device's stand-in.
function uniqueByFingerprint(keys: readonly PeerKey[]): PeerKey[] {
  const byPrint = new Map<string, PeerKey>();
  for (const key of keys) if (!byPrint.has(key.fingerprint)) byPrint.set(key.fingerprint, key);
  return [...byPrint.values()];
}

/** A PinStore in memory (tests, and a run without a profile folder). */
export function memoryPins(initial: PinBook = {}): PinStore & { book: PinBook } {
  const store = {
    book: initial,
    load: async () => store.book,
    save: async (book: PinBook) => {
      store.book = book;
    },
  };
  return store;
}
