#!/usr/bin/env node
// A plain JS launcher: a `node --import tsx` shebang only works from the repo
// root, while registering tsx here works from any directory.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
