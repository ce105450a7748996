#!/usr/bin/env node
// `chat`: runs the CLI that scripts/build.js bundled into dist/ with every
// dependency inside, so an installed package needs nothing but Node and
// never writes into its own folder. In a checkout (src/ beside dist/) the
// sources are the truth: a dist/ older than them is rebuilt first, and when
// it cannot be built (a checkout this user may not write, no esbuild) the
// sources run through tsx, as CHAT_NO_BUNDLE=1 asks. tsx is registered here
// rather than by a `node --import tsx` shebang so it works from any
// directory; the tsconfig is named so JSX compiles the same from anywhere.
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

// React's development build records every render (a cost that grows with
// the history shown, and memory that is never freed): users get production.
process.env.NODE_ENV ??= 'production';

const DIST_CLI = new URL('../dist/cli.js', import.meta.url);

/** The checkout's entry: dist/ once it matches the sources, else the sources. */
async function checkoutEntry() {
  if (!process.env.CHAT_NO_BUNDLE) {
    try {
      const { build, freshBuild } = await import('../scripts/build.js');
      return pathToFileURL(freshBuild() ?? (await build()));
    } catch (error) {
      if (process.env.CHAT_DEBUG) process.stderr.write(`chat: running src/ (${error})\n`);
    }
  }
  const { register } = await import('tsx/esm/api');
  register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
  return new URL('../src/cli.ts', import.meta.url);
}

let entry = DIST_CLI;
if (existsSync(new URL('../src/cli.ts', import.meta.url))) {
  entry = await checkoutEntry();
} else if (!existsSync(DIST_CLI)) {
  process.stderr.write(
    `chat: this installation has no ${fileURLToPath(DIST_CLI)} — install chat again\n`,
  );
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
