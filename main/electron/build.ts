// Builds the preload to CommonJS with esbuild (installed with tsx): sandboxed preloads cannot be ES modules.
// Run directly (`tsx main/electron/build.ts`) before packaging; in development the app builds it on start.
import { buildSync } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const PRELOAD_BUNDLE = join(HERE, '..', '..', 'dist', 'electron', 'preload.cjs');

export function buildPreload(): string {
  buildSync({
    entryPoints: [join(HERE, 'preload.ts')],
    outfile: PRELOAD_BUNDLE,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['electron'],
    logLevel: 'warning',
  });
  return PRELOAD_BUNDLE;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdout.write(`${buildPreload()}\n`);
}
