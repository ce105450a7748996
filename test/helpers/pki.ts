import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fsPromises, { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { type PkiLayout, pkiLayout } from '../../src/pki/layout.ts';
import type { PkiContext } from '../../src/pki/write-certs.ts';

/** A fresh directory under the system temp dir, removed by the returned cleanup. */
export async function tempDir(): Promise<{ path: string; cleanup: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'chat-test-'));
  return { path, cleanup: () => rm(path, { recursive: true, force: true }) };
}

/** A PKI context over `dir`/certs; `now` defaults to the real time, which openssl checks against. */
export function pkiContext(dir: string, now = new Date()): PkiContext {
  return { layout: pkiLayout(join(dir, 'certs')), now };
}

/** Every file below `dir`: relative path -> permission bits and SHA-256 of its bytes. */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  const walk = async (current: string): Promise<void> => {
    let entries: string[];
    try {
      entries = await readdir(current);
    } catch {
      return;
    }
    for (const name of entries.sort()) {
      const path = join(current, name);
      const info = await stat(path);
      const mode = (info.mode & 0o777).toString(8);
      if (info.isDirectory()) {
        result[`${relative(dir, path)}/`] = mode;
        await walk(path);
      } else {
        const hash = createHash('sha256')
          .update(await readFile(path))
          .digest('hex');
        result[relative(dir, path)] = `${mode} ${hash}`;
      }
    }
  };
  await walk(dir);
  return result;
}

/** Runs openssl, the independent judge of what we write; never throws on exit codes. */
export function openssl(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile('openssl', args, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

/** `openssl verify` of certificates against the layout's CA, with its CRL when `crl` is set. */
export function opensslVerify(
  layout: PkiLayout,
  certs: string[],
  options: { crl?: boolean } = {},
): Promise<{ code: number; out: string }> {
  const crl = options.crl ? ['-crl_check', '-CRLfile', layout.crl] : [];
  return openssl(['verify', ...crl, '-CAfile', layout.caCert, ...certs]);
}

/** The subjectAltName of a certificate as `openssl x509 -ext subjectAltName` prints it. */
export async function opensslSan(certPath: string): Promise<string> {
  const out = await openssl(['x509', '-noout', '-ext', 'subjectAltName', '-in', certPath]);
  if (out.code !== 0) throw new Error(out.out);
  return out.out;
}

/**
 * Emits SIGINT in this process right after a file whose path matches
 * `pattern` is opened through node:fs/promises (as writeFilesAtomically
 * stages each file), so a test can interrupt a write at an exact step.
 * Add a SIGINT listener of your own first, or the signal ends the test.
 * Returns the function that restores `open`.
 */
export function signalWhenOpened(pattern: RegExp): () => void {
  const original = fsPromises.open;
  const patched: typeof fsPromises.open = async (path, ...rest) => {
    const handle = await original(path, ...rest);
    if (pattern.test(String(path))) process.emit('SIGINT', 'SIGINT');
    return handle;
  };
  fsPromises.open = patched;
  syncBuiltinESMExports(); // named imports of node:fs/promises see the patch too
  return () => {
    fsPromises.open = original;
    syncBuiltinESMExports();
  };
}
