import { ChatError } from '../errors.ts';
import type { RedisPlace } from './history/redis-history.ts';
import { openJson, sealJson } from './history/sealed-json.ts';
import type { UsersOrigin } from './users-book.ts';
import { formatUsers, parseUsers, type UsersTable } from './users-table.ts';

/** Names the sealed users table and its format (also bound as associated data). */
const USERS_MAGIC = Buffer.from('CHATUSR1', 'latin1');
/** Times a change is tried again when another one landed between its read and its write. */
const CHANGE_ATTEMPTS = 20;

// KEYS: the table, its version. ARGV: the version the change was made on,
// the new sealed table. Written only when nobody wrote since (else 0), and
// the version counts up in the same step, so a node sees every change.
const SWAP_LUA = `
if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return redis.call('INCR', KEYS[2])
`;

/** One read of the table: undefined when Redis holds none. */
export interface UsersRead {
  table: UsersTable | undefined;
  /** Counts up with every change; `0` before the first. */
  version: string;
}

/**
 * The users table of `--require-password` in the Redis of a cluster: the
 * users file's JSON sealed with the store's key (Redis holds no user name),
 * beside a version counter that every change moves in the same script, so
 * concurrent `chat users` runs never lose each other's change.
 */
export class RedisUsers {
  private readonly tableKey: string;
  private readonly versionKey: string;

  /** Built from the history store's connection, keys and key names (RedisHistory.place()). */
  constructor(private readonly deps: RedisPlace) {
    this.tableKey = deps.key('users');
    this.versionKey = deps.key('users-version');
  }

  /** Where the table is, for messages: `Redis at redis://HOST:PORT`. */
  get where(): string {
    return `Redis at ${this.deps.label}`;
  }

  /** Redis as the log names it: `redis://HOST:PORT`. */
  get label(): string {
    return this.deps.label;
  }

  /** The version alone: one GET, cheap enough before every login. */
  async version(): Promise<string> {
    return (await this.deps.redis.get(this.versionKey)) ?? '0';
  }

  /** The table and its version, read together; a ChatError when the table does not open. */
  async read(): Promise<UsersRead> {
    const results = await this.deps.redis
      .multi()
      .getBuffer(this.tableKey)
      .get(this.versionKey)
      .exec();
    if (results === null) throw new Error('Redis discarded a read of the users table');
    for (const [error] of results) if (error) throw error;
    const [bytes, version] = results.map(([, value]) => value) as [Buffer | null, string | null];
    return { table: bytes === null ? undefined : this.open(bytes), version: version ?? '0' };
  }

  /**
   * Applies `edit` to the table as it is now (an empty one when there is
   * none) and writes it, unless another change landed meanwhile: then it
   * reads and edits again. `edit` may throw to change nothing.
   */
  async change(edit: (table: UsersTable) => void): Promise<void> {
    for (let attempt = 0; attempt < CHANGE_ATTEMPTS; attempt++) {
      const { table = new Map(), version } = await this.read();
      edit(table);
      const sealed = sealJson(this.deps.keys, USERS_MAGIC, formatUsers(table));
      const written = await this.deps.redis.eval(
        SWAP_LUA,
        2,
        this.tableKey,
        this.versionKey,
        version,
        sealed,
      );
      if (written !== 0) return;
    }
    throw new ChatError('BUSY', `the users table in ${this.where} kept changing meanwhile`, {
      hint: 'run the command again',
    });
  }

  private open(bytes: Buffer): UsersTable {
    const text = openJson(this.deps.keys, USERS_MAGIC, bytes);
    let problem = 'it does not open with this history key';
    if (typeof text === 'string') {
      try {
        return parseUsers(text);
      } catch (error) {
        problem = (error as Error).message;
      }
    }
    throw new ChatError(
      'USERS_TABLE_DAMAGED',
      `the users table in ${this.where} is unreadable: ${problem}`,
      {
        hint: `check --certs (history.key) and --redis; else delete ${this.tableKey} in Redis and set the passwords again with \`chat users add NAME --redis URL\``,
      },
    );
  }
}

/** The table in Redis as a UsersBook reads it: stamped by its version counter. */
export function redisUsersOrigin(users: RedisUsers): UsersOrigin {
  return {
    what: 'users table in Redis',
    fields: { redis: users.label },
    stamp: () => users.version(),
    async read() {
      const { table } = await users.read();
      if (table !== undefined) return table;
      throw new ChatError(
        'USERS_TABLE_MISSING',
        `--require-password, but ${users.where} holds no users table`,
        {
          hint: 'set the first password with `chat users add NAME --redis URL` (same --certs), then start the server',
        },
      );
    },
  };
}
