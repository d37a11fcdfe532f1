#!/usr/bin/env node
// `npx nearfeed-server`: the server of `npm start`, configured by the same environment variables (README).
// It runs from its TypeScript sources through tsx, as `npm start` does.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../main.ts');
await main();
