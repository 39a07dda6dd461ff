#!/usr/bin/env node
// Runs the TypeScript command line through tsx, so `npx dermaread` works from a clone without a build step.
import { register } from 'tsx/esm/api';

register();
const { run } = await import('../main/cli/index.ts');
process.exitCode = await run(process.argv.slice(2));
