#!/usr/bin/env node
// Runs the TypeScript sources directly through tsx's loader: no build step between a clone and a run.
import { register as registerHooks } from 'node:module';
import { register } from 'tsx/esm/api';

// Registered before tsx so that tsx's resolver runs first and hands the TypeScript entry it gets
// back to tsx's own loader.
registerHooks('./self-resolve.mjs', import.meta.url);
register();
await import('../src/cli/main.ts');
