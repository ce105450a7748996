#!/usr/bin/env node
// A plain JS launcher. It runs the bundled CLI (see bundle.js) when the
// bundle matches the sources, building it when it does not; when it cannot
// be built it runs the TypeScript through tsx instead. Registering tsx here,
// rather than a `node --import tsx` shebang, works from any directory; the
// tsconfig is named explicitly so JSX compiles the same from anywhere.
import { fileURLToPath } from 'node:url';
import { buildBundle, freshBundle } from './bundle.js';

// React's development build records every render (a cost that grows with
// the history shown, and memory that is never freed): users get production.
process.env.NODE_ENV ??= 'production';
const bundled = process.env.CHAT_NO_BUNDLE ? undefined : (freshBundle() ?? (await buildBundle()));
let main;
if (bundled) {
  ({ main } = await import(bundled));
} else {
  const { register } = await import('tsx/esm/api');
  register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
  ({ main } = await import('../src/cli.ts'));
}
process.exitCode = await main(process.argv.slice(2));
