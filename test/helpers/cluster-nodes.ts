import assert from 'node:assert/strict';
import type { ServerFrame, ServerFrameOf } from '../../src/net/protocol/frames.ts';
import { RedisHistory } from '../../src/server/history/redis-history.ts';
import type { ServerConfig } from '../../src/server/server-config.ts';
import { makeTeam, rawConnection, type Started, startServer, type Team } from './chat-server.ts';
import { startRedis, type TestRedis } from './redis.ts';

export type Raw = Awaited<ReturnType<typeof rawConnection>>;

/** What else a cluster's nodes are started with. */
export interface ClusterOptions {
  /** More of each node's config (`requirePassword`). */
  config?: Partial<ServerConfig>;
  /** Runs once Redis and the team are there, before the first node starts. */
  beforeNodes?: (redis: TestRedis, team: Team) => Promise<void>;
}

/**
 * The store a node of a test cluster opens on `url`: the team's history key
 * (`keyFile`), every ack durable, nothing trimmed; `node` names its kept
 * state, `prefix` keeps a test's keys apart from another's on one Redis.
 */
export function nodeStore(
  url: string,
  keyFile: string,
  where: { node?: string; prefix?: string } = {},
): Promise<RedisHistory> {
  return RedisHistory.open({
    url,
    key: { kind: 'key-file', path: keyFile },
    durability: 'always',
    limits: { keepDays: 0, keepMessages: 0 },
    warn: () => {},
    ...where,
  });
}

/**
 * A team, its own Redis and `count` ChatServers on it (the nodes of one
 * cluster), each with `operators` as server operators; `stop` closes every
 * raw connection opened through `connect`, the nodes, Redis and the team.
 */
export async function clusterOnRedis(
  users: string[],
  operators: string[],
  count = 2,
  options: ClusterOptions = {},
) {
  const [team, redis]: [Team, TestRedis] = await Promise.all([makeTeam(users), startRedis()]);
  await options.beforeNodes?.(redis, team);
  const nodes: Started[] = [];
  /** A node named `name` (its kept state is that name's), started on the cluster's Redis. */
  const startNode = async (name: string): Promise<Started> => {
    const store = await nodeStore(redis.url, team.ctx.layout.historyKey, { node: name });
    const started = await startServer(team, { operators, ...options.config }, store);
    nodes.push(started);
    return started;
  };
  for (let i = 0; i < count; i++) await startNode(`127.0.0.1:${4000 + i}`);
  const open: Raw[] = [];
  return {
    team,
    redis,
    nodes,
    startNode,
    /**
     * A raw connection of `user` to `node` that said hello, with its welcome:
     * joining `join`, or the rooms the server remembers for them.
     */
    async connect(
      node: Started,
      user: string,
      join: string[] | 'remembered' = [],
    ): Promise<Raw & { welcome: ServerFrameOf<'welcome'> }> {
      const raw = await rawConnection(node, await team.credentials(user));
      open.push(raw);
      say(raw, {
        type: 'hello',
        v: 1,
        client: 'test/1',
        ...(join === 'remembered' ? {} : { join }),
      });
      const welcome = await raw.nextFrame();
      assert.equal(welcome.type, 'welcome', JSON.stringify(welcome));
      return Object.assign(raw, { welcome: welcome as ServerFrameOf<'welcome'> });
    },
    async stop(): Promise<void> {
      for (const raw of open) raw.socket.destroy();
      // A node a test stopped already is closed again harmlessly.
      await Promise.all(nodes.map((node) => node.server.close().catch(() => {})));
      await redis.cleanup();
      await team.dir.cleanup();
    },
  };
}

/** Writes one frame on a raw connection. */
export function say(raw: Raw, frame: Record<string, unknown>): void {
  raw.socket.write(`${JSON.stringify(frame)}\n`);
}

/** The next frame of `type` on a raw connection, others skipped. */
export async function next<T extends ServerFrame['type']>(
  raw: Raw,
  type: T,
): Promise<ServerFrameOf<T>> {
  return (await raw.nextFrame(type)) as ServerFrameOf<T>;
}

/** The first frame of one of `types`, others skipped. */
export async function firstOf(raw: Raw, types: string[]): Promise<ServerFrame> {
  for (;;) {
    const frame = await raw.nextFrame();
    if (types.includes(frame.type)) return frame;
  }
}

/** Resolves once `raw` is told `user` is `status`. */
export async function presenceOf(raw: Raw, user: string, status: string) {
  for (;;) {
    const frame = await next(raw, 'presence');
    if (frame.user === user && frame.status === status) return frame;
  }
}
