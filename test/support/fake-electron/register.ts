// `node --import ./test/support/fake-electron/register.ts …`, or `await import(…/register.js)` at the top of a test
// before importing anything that imports `electron`: from then on `electron` is the recording fake in ./index.ts.
import { register } from 'node:module';

register(new URL('./hooks.ts', import.meta.url));
