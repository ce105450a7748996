/**
 * How long the PKI operations take: a whole `chat certs`, one client
 * certificate, and a revocation against a CRL that already lists many.
 * Bounded: a fixed number of rounds per case; about a minute on 2 cores,
 * under 15 s with --quick (which leaves out RSA 4096).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { formatTable } from '../src/commands/format-table.ts';
import { issueClient, revokeClient } from '../src/pki/client-certs.ts';
import { initPki } from '../src/pki/init-pki.ts';
import { pkiLayout } from '../src/pki/layout.ts';
import type { KeySpec } from '../src/pki/profiles.ts';
import type { PkiContext } from '../src/pki/write-certs.ts';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 3 : 10;

interface Row {
  name: string;
  samples: number[];
}

async function withPki<T>(key: KeySpec, body: (ctx: PkiContext) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'chat-bench-'));
  try {
    const ctx = { layout: pkiLayout(join(dir, 'certs')), now: new Date() };
    await initPki(ctx, { user: 'root', key });
    return await body(ctx);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function time(body: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await body();
  return performance.now() - start;
}

async function measure(
  name: string,
  rounds: number,
  once: (round: number) => Promise<number>,
): Promise<Row> {
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) samples.push(await once(i));
  return { name, samples };
}

const keys: Array<[string, KeySpec]> = [
  ['EC P-256', { type: 'ec' }],
  ['RSA 2048', { type: 'rsa', size: 2048 }],
  // RSA 4096 key generation takes seconds: only in the full run.
  ...(quick ? [] : [['RSA 4096', { type: 'rsa', size: 4096 }] as [string, KeySpec]]),
];

const rows: Row[] = [];
for (const [label, key] of keys) {
  const rounds = key.type === 'rsa' && key.size === 4096 ? Math.min(ROUNDS, 3) : ROUNDS;
  rows.push(
    await measure(`chat certs (whole PKI), ${label}`, rounds, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'chat-bench-'));
      try {
        const ctx = { layout: pkiLayout(join(dir, 'certs')), now: new Date() };
        return await time(() => initPki(ctx, { user: 'root', key }));
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }),
  );
  rows.push(
    await withPki(key, (ctx) =>
      measure(`chat certs client NAME, ${label}`, rounds, (i) =>
        time(() => issueClient(ctx, { name: `user${i}` })),
      ),
    ),
  );
}

const REVOKED = quick ? 50 : 200;
rows.push(
  await withPki({ type: 'ec' }, async (ctx) => {
    for (let i = 0; i < REVOKED; i++) {
      await issueClient(ctx, { name: `u${i}` });
      await revokeClient(ctx, { name: `u${i}` });
    }
    await issueClient(ctx, { name: 'last' });
    return measure(`chat certs revoke NAME, CRL of ${REVOKED}`, 1, () =>
      time(() => revokeClient(ctx, { name: 'last' })),
    );
  }),
);

const ms = (n: number) => n.toFixed(1);
const stats = (s: number[]) => {
  const sorted = [...s].sort((a, b) => a - b);
  return {
    median: sorted[Math.floor(sorted.length / 2)] ?? 0,
    min: sorted[0] ?? 0,
    max: sorted.at(-1) ?? 0,
  };
};
console.log(
  formatTable([
    ['CASE', 'RUNS', 'MEDIAN ms', 'MIN ms', 'MAX ms'],
    ...rows.map((r) => {
      const s = stats(r.samples);
      return [r.name, String(r.samples.length), ms(s.median), ms(s.min), ms(s.max)];
    }),
  ]),
);
