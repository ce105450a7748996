#!/usr/bin/env node
// A plain JS launcher: a `node --import tsx` shebang only works from the repo
// root, while registering tsx here works from any directory. The tsconfig is
// named explicitly so JSX compiles the same from any working directory.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

// React's development build records every render (a cost that grows with
// the history shown, and memory that is never freed): users get production.
process.env.NODE_ENV ??= 'production';
register({ tsconfig: fileURLToPath(new URL('../tsconfig.json', import.meta.url)) });
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
