import { ChatError } from '../../errors.ts';
import type { Ack } from '../client-types.ts';
import type { DmContent } from './dm-envelope.ts';
import type { DmKeyring, SealOutcome } from './dm-keyring.ts';
import type { DmEnvelope } from './envelope-format.ts';

/** What sending a sealed DM needs of a ChatClient. */
export interface SealedSender {
  newRef(): string;
  sealedDm(to: string, sealed: DmEnvelope): Promise<Ack>;
  /** Resolves once connected; rejects when the client stops first. */
  untilConnected(): Promise<void>;
}

/**
 * Seals `content` for `to` and sends it; resolves with the server's ack.
 * Typed while disconnected, it waits for the reconnect (sealing needs the
 * key directory), then goes.
 * When `to` was verified and now shows a certificate the user has not
 * accepted, nothing is sent: the message waits (`held` is told) until the
 * user decides (/verify again, or /accept), then is sealed for what they
 * decided. Rejects with DM_HELD when `to` has no certificate that holds.
 */
export async function sendSealed(
  client: SealedSender,
  keyring: DmKeyring,
  to: string,
  content: DmContent,
  held: () => void = () => {},
): Promise<Ack> {
  for (;;) {
    // Watched before sealing, so a decision made meanwhile is not missed.
    const decided = keyring.nextChange();
    const ref = client.newRef();
    const sent: Array<Promise<Ack>> = [];
    let outcome: SealOutcome;
    try {
      outcome = await keyring.sealThen(to, content, ref, Date.now(), (sealed) => {
        sent.push(client.sealedDm(to, sealed));
      });
    } catch (error) {
      decided.cancel();
      // Offline, or the connection dropped mid-question: the key directory
      // is asked again once reconnected, as a plain send waits in the outbox.
      if (!(error instanceof ChatError) || error.code !== 'CONNECT_FAILED') throw error;
      await client.untilConnected();
      continue;
    }
    const [acked] = sent;
    if (acked) {
      decided.cancel();
      return acked;
    }
    if (!outcome.ok && outcome.reason === 'no_keys') {
      decided.cancel();
      throw new ChatError('DM_HELD', `not sent: ${to} has no certificate to seal for`, {
        hint: `every certificate of ${to}'s is revoked or expired: ask your admin for a new one`,
      });
    }
    held();
    await decided.changed;
  }
}
