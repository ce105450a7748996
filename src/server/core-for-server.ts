import { ChatCore } from './chat-core.ts';
import type { HistoryStore } from './history/history-store.ts';
import type { KeyDirectory } from './key-directory.ts';
import { isShared } from './node-feed.ts';
import { DEFAULT_ROOM, type ServerConfig } from './server-config.ts';

/** Sends remembered per user by ref, so a resend is acknowledged as its original. */
const REF_MEMORY = 1_000;

/** The ChatCore a server runs with `config` over `store`, not yet seeded (see seedCore). */
export function coreFor(
  config: ServerConfig,
  serverName: string,
  store: HistoryStore,
  keys: Pick<KeyDirectory, 'hasFile' | 'certificatesOf'>,
): ChatCore {
  return new ChatCore({
    serverName,
    motd: config.motd,
    defaultRoom: DEFAULT_ROOM,
    limits: {
      maxFrameBytes: config.maxFrameBytes,
      maxTextChars: config.maxTextChars,
      ratePerSecond: config.ratePerSecond,
      rateBurst: config.rateBurst,
      maxHistory: config.maxHistory,
    },
    maxDevicesPerUser: config.maxPerUser,
    violationBurst: config.rateBurst,
    violationRefillPerSecond: config.ratePerSecond,
    refMemory: REF_MEMORY,
    hasCertificate: (user) => keys.hasFile(user),
    certificatesOf: (user) => keys.certificatesOf(user),
    maxRoomsPerUser: config.maxRoomsPerUser,
    maxRooms: config.maxRooms,
    maxRoomsCreatedPerHour: config.maxRoomsCreatedPerHour,
    epoch: store.epoch,
    operators: new Set(config.operators),
    cluster: isShared(store),
  });
}

/**
 * Gives a new core what the store kept from earlier runs: each
 * conversation's newest id (ids go on where they stopped), the refs of the
 * newest sends (a resend is acknowledged as its original), and the kept
 * state (topics, users' rooms and read positions). `now`: the start, in ms.
 * Resolves with the newest ids it read.
 */
export async function seedCore(
  core: ChatCore,
  store: HistoryStore,
  now: number,
): Promise<{ lastIds: Map<string, number>; events: string | undefined }> {
  const lastIds = await store.lastIds();
  for (const [conversation, id] of lastIds) core.seedLastId(conversation, id);
  for (const sent of await store.recentRefs(REF_MEMORY))
    core.seedRef(sent.user, sent.ref, sent.conversation, sent.id, sent.ts);
  const kept = await store.readState();
  core.restoreKeptState(kept, now);
  return { lastIds, events: kept.events };
}
