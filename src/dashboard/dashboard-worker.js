// The worker's entry: a worker does not inherit the main thread's tsx hooks,
// so it registers them before loading the TypeScript dashboard.
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

register({ tsconfig: fileURLToPath(new URL('../../../tsconfig.json', import.meta.url)) });
await import('./dashboard-thread.tsx');
