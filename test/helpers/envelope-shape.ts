import type { DmEnvelope } from '../../src/net/e2ee/envelope-format.ts';

/**
 * An envelope with every field in its shape and nothing real in it: for
 * tests of how a sealed message is shown, not of how it opens.
 */
export function envelopeShape(from: string, to: string, ts = 0): DmEnvelope {
  return {
    v: 1,
    from,
    to,
    cid: 'c-1',
    ts,
    sfp: `${'AB:'.repeat(31)}AB`,
    nonce: 'AAAAAAAAAAAAAAAA',
    ct: 'AAAA',
    keys: [{ fp: `${'CD:'.repeat(31)}CD`, wk: 'AAAA' }],
    sig: 'AAAA',
  };
}
