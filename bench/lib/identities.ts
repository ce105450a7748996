/**
 * Client certificates for the load's connections, issued by the bench's own
 * team CA: one user per sender (`s0`, `s1`, …) and a few receiver users
 * (`r0`, …) whose certificates the receivers take in turn, as devices.
 */
import { issueClient } from '../../src/pki/client-certs.ts';
import { clientPaths, type PkiLayout } from '../../src/pki/layout.ts';
import type { Identity } from '../load/spec.ts';

/** The certificates a case's connections log in with. */
export interface LoadIdentities {
  senders: Identity[];
  receivers: Identity[];
}

/** Issues `senders` sender users and `receivers` receiver users into `layout`. */
export async function issueIdentities(
  layout: PkiLayout,
  counts: { senders: number; receivers: number },
): Promise<LoadIdentities> {
  const ctx = { layout, now: new Date() };
  const issue = async (name: string): Promise<Identity> => {
    await issueClient(ctx, { name });
    return clientPaths(layout, name);
  };
  const senders: Identity[] = [];
  for (let k = 0; k < counts.senders; k++) senders.push(await issue(`s${k}`));
  const receivers: Identity[] = [];
  for (let i = 0; i < counts.receivers; i++) receivers.push(await issue(`r${i}`));
  return { senders, receivers };
}
