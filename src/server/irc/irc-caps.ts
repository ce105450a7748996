/**
 * IRCv3 capability negotiation: what CAP LS offers, what CAP LIST says was
 * taken, and what CAP REQ takes or gives back. CAP END is left to the
 * session, as it ends what registration waits for. Pure.
 */
import { type Addressee, ircLine, numeric } from './irc-write.ts';

/** The capabilities offered, with what CAP LS 302 says of each. */
const CAPABILITIES: Record<string, string> = {
  'server-time': '',
  'message-tags': '',
  'echo-message': '',
  'away-notify': '',
  batch: '',
  'draft/chathistory': '',
  sasl: 'EXTERNAL,PLAIN',
};

/** What a CAP subcommand answers, and the capabilities taken after it. */
export interface CapAnswer {
  lines: string[];
  caps: ReadonlySet<string>;
  /** LS and REQ begin negotiation: a client not yet registered is registered at CAP END. */
  negotiates: boolean;
}

/**
 * Answers `CAP LS|LIST|REQ` (`sub` upper-cased, `args` after it). `name` is
 * the client as CAP addresses it: `*` until registered, whatever NICK said.
 */
export function answerCap(
  sub: string,
  args: readonly string[],
  caps: ReadonlySet<string>,
  to: Addressee,
  name: string,
): CapAnswer {
  const said = (params: string[]) => ircLine(to, 'CAP', [name, ...params]);
  switch (sub) {
    case 'LS': {
      const v302 = Number(args[0] ?? 0) >= 302;
      const offered = Object.entries(CAPABILITIES).map(([cap, value]) =>
        v302 && value !== '' ? `${cap}=${value}` : cap,
      );
      return { lines: [said(['LS', offered.join(' ')])], caps, negotiates: true };
    }
    case 'LIST':
      return { lines: [said(['LIST', [...caps].join(' ')])], caps, negotiates: false };
    case 'REQ': {
      const asked = (args[0] ?? '').split(' ').filter((cap) => cap !== '');
      const known = asked.every((cap) => cap.replace(/^-/, '') in CAPABILITIES);
      if (!known) return { lines: [said(['NAK', args[0] ?? ''])], caps, negotiates: true };
      const taken = new Set(caps);
      for (const cap of asked) {
        if (cap.startsWith('-')) taken.delete(cap.slice(1));
        else taken.add(cap);
      }
      return { lines: [said(['ACK', args[0] ?? ''])], caps: taken, negotiates: true };
    }
    default:
      return {
        lines: [numeric(to, '410', sub, 'Invalid CAP command')],
        caps,
        negotiates: false,
      };
  }
}
