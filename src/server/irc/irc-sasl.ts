/**
 * SASL (AUTHENTICATE) over a connection whose client certificate already
 * proved who the client is: EXTERNAL only confirms it; PLAIN carries the
 * password a server run with --require-password asks for after hello, and
 * its name must be the certificate's. Pure.
 */
import { type Addressee, numeric, userSource } from './irc-write.ts';

/** The mechanisms offered. */
export type SaslMechanism = 'EXTERNAL' | 'PLAIN';

/** What one AUTHENTICATE line leads to. */
export interface SaslStep {
  /** The mechanism under way after it. */
  mechanism: SaslMechanism | undefined;
  lines: string[];
  /**
   * PLAIN's password, under the certificate's name: success is told only
   * once the server took it (`saslSucceeded` with the welcome).
   */
  password?: string;
}

/**
 * One AUTHENTICATE line: `argument` is a mechanism, `*` to abort, or the
 * base64 answer to the mechanism under way. `user` is the certificate's name.
 */
export function answerAuthenticate(
  argument: string,
  mechanism: SaslMechanism | undefined,
  user: string,
  to: Addressee,
): SaslStep {
  const upper = argument.toUpperCase();
  if (upper === 'EXTERNAL' || upper === 'PLAIN') {
    return { mechanism: upper, lines: ['AUTHENTICATE +'] };
  }
  if (argument === '*') {
    return { mechanism: undefined, lines: [numeric(to, '906', 'SASL authentication aborted')] };
  }
  if (mechanism === 'PLAIN') {
    const [, name = '', password = ''] = Buffer.from(argument, 'base64')
      .toString('utf8')
      .split('\0');
    if (name !== user || password === '') {
      return {
        mechanism: undefined,
        lines: [saslFailed(to, `the name must be your certificate's, ${user}`)],
      };
    }
    return { mechanism: undefined, lines: [], password };
  }
  if (mechanism !== 'EXTERNAL') {
    return {
      mechanism: undefined,
      lines: [
        numeric(to, '908', 'EXTERNAL,PLAIN', 'are available SASL mechanisms'),
        saslFailed(to),
      ],
    };
  }
  return { mechanism: undefined, lines: saslSucceeded(to, user) };
}

/** 900 and 903: logged in as `user`. */
export function saslSucceeded(to: Addressee, user: string): string[] {
  return [
    numeric(to, '900', userSource(user), user, `You are now logged in as ${user}`),
    numeric(to, '903', 'SASL authentication successful'),
  ];
}

/** 904, with why when there is more to say than that it failed. */
export function saslFailed(to: Addressee, why?: string): string {
  return numeric(
    to,
    '904',
    why === undefined ? 'SASL authentication failed' : `SASL authentication failed: ${why}`,
  );
}
