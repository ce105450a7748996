// The CLI as one bundled program, so `chat` starts in a fraction of the time:
// loading ~300 modules through tsx's loader hooks (each resolved on a hook
// thread and compiled) took 2-3 s before `chat tui` drew its first frame.
// esbuild (tsx's own compiler) builds it into node_modules/.cache/chat/;
// the sources are the truth: a bundle older than any source is rebuilt, and
// when it cannot be built the launcher falls back to tsx.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BUNDLE_DIR = join(ROOT, 'node_modules', '.cache', 'chat');
const MANIFEST = 'manifest.json';
/** What the bundle is built from: a change to any of these makes it stale. */
const INPUTS = ['src', 'patches', 'package.json', 'package-lock.json', 'tsconfig.json'];

/** A fingerprint of the inputs: every file's path, size and modification time. */
export function sourceKey() {
  const hash = createHash('sha256');
  const add = (path) => {
    const info = statSync(path, { throwIfNoEntry: false });
    if (!info) return;
    if (info.isDirectory()) {
      for (const name of readdirSync(path).sort()) add(join(path, name));
    } else {
      hash.update(`${path}\0${info.size}\0${info.mtimeMs}\n`);
    }
  };
  for (const input of INPUTS) add(join(ROOT, input));
  return hash.digest('hex');
}

/** The bundled CLI's entry if it matches the sources, else undefined. */
export function freshBundle() {
  try {
    const manifest = JSON.parse(readFileSync(join(BUNDLE_DIR, MANIFEST), 'utf8'));
    return manifest.key === sourceKey() ? join(BUNDLE_DIR, 'cli.js') : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Builds the bundle (cli.js, the dashboard's worker, shared chunks) into a
 * directory of its own and moves it into place, so a launch never sees half
 * a bundle. Returns the entry, or undefined when it cannot be built.
 */
export async function buildBundle() {
  const key = sourceKey();
  const staging = `${BUNDLE_DIR}.${process.pid}`;
  try {
    const { build } = await import('esbuild');
    await build({
      entryPoints: {
        cli: join(ROOT, 'src', 'cli.ts'),
        // Found next to dashboard-host's chunk by new URL('./dashboard-worker.js', import.meta.url).
        'dashboard-worker': join(ROOT, 'src', 'ui', 'dashboard', 'dashboard-thread.tsx'),
      },
      outdir: staging,
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      jsx: 'automatic',
      // Less to parse at every start; names are kept for readable stack traces.
      minifyWhitespace: true,
      minifySyntax: true,
      tsconfig: join(ROOT, 'tsconfig.json'),
      // Ink imports it only when DEV is set, for React DevTools, which chat never uses.
      external: ['react-devtools-core'],
      // CommonJS packages inside an ES module bundle still call require().
      banner: {
        js: "import { createRequire as __chatRequire } from 'node:module'; const require = __chatRequire(import.meta.url);",
      },
      logLevel: 'silent',
    });
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(staging, MANIFEST), JSON.stringify({ key }));
    rmSync(BUNDLE_DIR, { recursive: true, force: true });
    renameSync(staging, BUNDLE_DIR);
    return join(BUNDLE_DIR, 'cli.js');
  } catch {
    rmSync(staging, { recursive: true, force: true });
    // Another launch may have put a fresh one in place meanwhile.
    return existsSync(join(BUNDLE_DIR, MANIFEST)) ? freshBundle() : undefined;
  }
}

// `node bin/bundle.js`: build now (npm's postinstall does).
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const built = await buildBundle();
  if (!built) {
    process.stderr.write(
      'chat: could not bundle the CLI; it will run through tsx (slower start)\n',
    );
  }
}
