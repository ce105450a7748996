import type { DmKeyring } from '../../net/e2ee/dm-keyring.ts';
import type { ChatAction } from '../state/chat-state.ts';
import { failed, show } from './irc-commands.ts';

/** What /verify and /accept act on. */
export interface IdentityContext {
  keyring: DmKeyring | undefined;
  dispatch: (action: ChatAction) => void;
  notice: (text: string) => void;
}

/**
 * `/verify bob`: the safety number of this user and bob over the
 * certificates each has now, to compare with bob's screen (in person, or
 * over a call). `/verify bob yes`: they matched; bob is verified for
 * exactly those certificates, and a new one later holds DMs to bob back.
 */
export function verify(user: string, confirm: boolean, to: IdentityContext): void {
  const { keyring } = to;
  if (!keyring) {
    to.notice('direct messages are not sealed in this session');
    return;
  }
  if (confirm) {
    keyring
      .confirm(user)
      .then(({ number }) =>
        show(to, [
          `${user} is verified: ${number}`,
          `a certificate of ${user}'s you have not compared will hold your DMs to them back`,
        ]),
      )
      .catch(failed(to, `/verify ${user} yes`));
    return;
  }
  keyring
    .safetyNumberWith(user)
    .then(({ number, theirs, mine }) => {
      if (theirs.length === 0) {
        to.notice(`${user} has no certificate that holds: nothing to verify`);
        return;
      }
      show(to, [
        `safety number with ${user} (${count(theirs.length)} of ${user}'s, ${count(mine.length)} of yours):`,
        ...halves(number).map((half) => `  ${half}`),
        `compare it with ${user}'s screen (/verify there shows the same digits), and the counts;`,
        `if every digit matches: /verify ${user} yes`,
      ]);
    })
    .catch(failed(to, `/verify ${user}`));
}

const count = (n: number) => `${n} certificate${n === 1 ? '' : 's'}`;

// 12 groups of five as two rows of six: each row fits a narrow pane, and reads aloud in one breath.
function halves(number: string): string[] {
  const groups = number.split(' ');
  return [groups.slice(0, 6).join(' '), groups.slice(6).join(' ')];
}

/**
 * `/accept bob`: trusts, without comparing, the certificates of bob's that
 * were announced (bob is then unverified); `/accept ME`: a new device of
 * your own that was announced.
 */
export function accept(user: string, to: IdentityContext): void {
  const { keyring } = to;
  if (!keyring) {
    to.notice('direct messages are not sealed in this session');
    return;
  }
  keyring
    .accept(user)
    .then((trusted) =>
      show(to, [
        user === keyring.me
          ? `your devices now trusted: ${trusted.length} (a device not announced yet stays out)`
          : `${user}'s certificates trusted, unverified: ${trusted.length}; /verify ${user} to compare`,
      ]),
    )
    .catch(failed(to, `/accept ${user}`));
}
