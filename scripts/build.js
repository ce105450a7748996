// Builds the CLI into dist/: one esbuild bundle with every dependency inlined
// (ink with our patches applied included), so the published package needs no
// `dependencies`, no install script and no write access to its own folder.
// Loading ~300 modules through tsx's loader hooks took 2-3 s before `chat tui`
// drew its first frame; the bundle starts in a fraction of that.
//
// npm runs it, after patch-package, from two hooks that never run where the
// package is installed: `dependencies` (in the checkout, whenever `npm ci` or
// `npm install` changed node_modules) and `prepack` (`npm pack`, `npm
// publish`). In a checkout bin/chat.js also rebuilds it when any input
// changed, so `npm start` and the tests always run the current sources.
import { createHash } from 'node:crypto';
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { builtinModules } from 'node:module';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where the built CLI goes; `bin` runs `dist/cli.js`. */
export const DIST = join(ROOT, 'dist');
// Dot-names stay out of the tarball (`files` excludes dist/.*).
const KEY_FILE = '.source-key';
/** What the bundle is built from: a change to any of these makes it stale. */
const INPUTS = [
  'src',
  'patches',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'scripts/build.js',
];
/**
 * Packages the bundle may leave out, each only reached on a path chat does not
 * take: ink imports react-devtools-core (and through it ws) only when DEV=true,
 * and ws requires its optional native add-ons inside a try.
 */
const OPTIONAL_EXTERNALS = new Set(['react-devtools-core', 'bufferutil', 'utf-8-validate']);

/**
 * zod's `z` namespace re-exports the error messages of every language it has
 * (half of zod's 580 KB), which the bundle would then parse at every start;
 * chat only speaks English, which zod loads by itself.
 */
const onlyEnglishZod = {
  name: 'only-english-zod',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, ({ importer }) =>
      /[\\/]zod[\\/]v4[\\/](classic|core)[\\/]/.test(importer)
        ? { path: 'zod-locales', namespace: 'only-english-zod' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'only-english-zod' }, () => ({
      contents: 'export {};',
      loader: 'js',
    }));
  },
};

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

/** dist/cli.js if dist/ was built from the inputs as they are now, else undefined. */
export function freshBuild() {
  try {
    const key = readFileSync(join(DIST, KEY_FILE), 'utf8');
    return key === sourceKey() ? join(DIST, 'cli.js') : undefined;
  } catch {
    return undefined;
  }
}

/** Imports the bundle reaches at run time that are neither Node built-ins nor known optional ones. */
function missingPackages(metafile) {
  const missing = new Set();
  for (const output of Object.values(metafile.outputs)) {
    for (const { path, external } of output.imports) {
      if (!external || path.startsWith('node:') || builtinModules.includes(path)) continue;
      if (!OPTIONAL_EXTERNALS.has(path)) missing.add(path);
    }
  }
  return [...missing];
}

/**
 * Builds cli.js, the dashboard's worker and their shared chunks, and moves
 * them into dist/ one file at a time (a rename replaces a file atomically and
 * chunk names are content hashes: a chat running from dist/ never finds a file
 * missing), then writes the source key. Builds may race (parallel tests, a
 * source saved meanwhile): the key stays only if dist/ then holds exactly
 * this build's bytes, otherwise the next launch builds again.
 * Returns the path of dist/cli.js; throws when it cannot be built.
 */
export async function build() {
  const key = sourceKey();
  const staging = join(DIST, `.staging-${process.pid}`);
  try {
    const { build: esbuild } = await import('esbuild');
    const result = await esbuild({
      entryPoints: {
        cli: join(ROOT, 'src', 'cli.ts'),
        // Found next to dashboard-host's chunk by new URL('./dashboard-worker.js', import.meta.url).
        'dashboard-worker': join(ROOT, 'src', 'dashboard', 'dashboard-thread.tsx'),
      },
      outdir: DIST,
      write: false,
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
      // Users run production React (bin/chat.js): fixing it here leaves the
      // development builds of react, react-reconciler and scheduler out of
      // the bundle, a megabyte less to compile before the first frame.
      define: { 'process.env.NODE_ENV': '"production"' },
      plugins: [onlyEnglishZod],
      external: [...OPTIONAL_EXTERNALS],
      // CommonJS packages inside an ES module bundle still call require().
      banner: {
        js: "import { createRequire as __chatRequire } from 'node:module'; const require = __chatRequire(import.meta.url);",
      },
      metafile: true,
      logLevel: 'silent',
    });
    const missing = missingPackages(result.metafile);
    if (missing.length > 0) {
      throw new Error(`the bundle would load ${missing.join(', ')} from node_modules at run time`);
    }
    const files = new Map(result.outputFiles.map((f) => [basename(f.path), f.contents]));
    mkdirSync(staging, { recursive: true });
    for (const [name, contents] of files) writeFileSync(join(staging, name), contents);
    for (const name of files.keys()) renameSync(join(staging, name), join(DIST, name));
    // Chunks of an older build; dot-names are other builds' staging folders and the key.
    for (const name of readdirSync(DIST)) {
      if (!files.has(name) && !name.startsWith('.')) rmSync(join(DIST, name), { force: true });
    }
    writeFileSync(join(staging, KEY_FILE), key);
    renameSync(join(staging, KEY_FILE), join(DIST, KEY_FILE));
    const intact = [...files].every(([name, contents]) => {
      try {
        return readFileSync(join(DIST, name)).equals(contents);
      } catch {
        return false;
      }
    });
    if (!intact) {
      rmSync(join(DIST, KEY_FILE), { force: true });
      throw new Error('another build changed dist/ at the same time');
    }
    return join(DIST, 'cli.js');
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

// `node scripts/build.js` (`npm run build`, npm's hooks): build now, or fail saying why.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    const started = Date.now();
    await build();
    const bytes = readdirSync(DIST).reduce((sum, name) => sum + statSync(join(DIST, name)).size, 0);
    process.stdout.write(
      `built dist/ (${Math.round(bytes / 1024)} KiB) in ${Date.now() - started} ms\n`,
    );
  } catch (error) {
    const reason = error?.errors?.[0]?.text ?? error?.message ?? String(error);
    process.stderr.write(`chat: cannot build dist/: ${reason}\n`);
    process.exitCode = 1;
  }
}
