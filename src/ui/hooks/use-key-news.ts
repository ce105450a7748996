import { useEffect } from 'react';
import type { DmKeyring, KeyNews } from '../../net/e2ee/dm-keyring.ts';
import type { ChatAction } from '../state/chat-state.ts';

/** A person's new certificate, said as the notice line says it. */
export function keyNewsText(news: KeyNews, me: string | undefined): string {
  const fingerprints = news.added.map((fp) => fp.slice(0, 11)).join(', ');
  if (news.user === me) {
    return `a new device of yours (${fingerprints}) cannot read your DMs: /accept ${news.user} if it is yours, else tell your admin`;
  }
  if (news.kind === 'held') {
    return `${news.user} has a new certificate (${fingerprints}): DMs to ${news.user} wait for /verify or /accept`;
  }
  return `${news.user} has a new certificate (${fingerprints}), not verified: /verify ${news.user} to compare`;
}

/**
 * Says each KeyNews of the keyring in the notice line, and pins the user's
 * own devices as soon as the first connection is up: a device of theirs
 * that appears later is then announced, not trusted on first use.
 */
export function useKeyNews(
  keyring: DmKeyring | undefined,
  me: string | undefined,
  dispatch: (action: ChatAction) => void,
): void {
  useEffect(
    () => keyring?.onNews((news) => dispatch({ type: 'notice', text: keyNewsText(news, me) })),
    [keyring, me, dispatch],
  );
  useEffect(() => {
    // Known once welcomed; a failure (offline again, pins damaged) is said when a DM needs them.
    if (keyring && me !== undefined) keyring.trustOf(me).catch(() => undefined);
  }, [keyring, me]);
}
