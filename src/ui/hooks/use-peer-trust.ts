import { useEffect, useState } from 'react';
import type { DmKeyring, PeerTrust } from '../../net/e2ee/dm-keyring.ts';
import type { ChatState } from '../state/chat-types.ts';

/** Where the peer of the open DM window stands: verified, unverified, changed. */
export interface DmTrust {
  peer: string;
  trust: PeerTrust;
}

/**
 * The trust of the current DM window's peer, asked of the keyring when the
 * window opens, when a pin changes (/verify, /accept, a first sighting) and
 * when a message comes or goes there; undefined outside a DM window, or
 * while it is not known yet.
 */
export function usePeerTrust(
  keyring: DmKeyring | undefined,
  state: ChatState,
): DmTrust | undefined {
  const current = state.current;
  const peer = current?.startsWith('@') ? current.slice(1) : undefined;
  const lines = current === undefined ? 0 : (state.conversations[current]?.lines.length ?? 0);
  const connected = state.connection.state === 'connected';
  const [tick, setTick] = useState(0);
  const [trust, setTrust] = useState<DmTrust | undefined>(undefined);
  useEffect(() => keyring?.watch(() => setTick((t) => t + 1)), [keyring]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: tick and lines are the reasons to ask again.
  useEffect(() => {
    if (!keyring || peer === undefined || !connected) return;
    let live = true;
    keyring.trustOf(peer).then(
      (found) => {
        if (live) setTrust({ peer, trust: found });
      },
      // Unknown, or asked while the connection dropped: the next reason asks again.
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [keyring, peer, connected, tick, lines]);
  return trust !== undefined && trust.peer === peer ? trust : undefined;
}
