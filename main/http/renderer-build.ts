// Where the built renderer lives, and a build when it is missing or older than its sources, so `serve` and
// `demo` work on a fresh clone and never serve a stale UI.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const RENDERER_DIR = join(REPO_ROOT, 'dist', 'renderer');
const SOURCES = [
  join(REPO_ROOT, 'renderer'),
  join(REPO_ROOT, 'main', 'contract'),
  join(REPO_ROOT, 'vite.config.ts'),
];

function newestSource(): number {
  let newest = 0;
  for (const source of SOURCES) {
    if (!existsSync(source)) continue;
    const files = statSync(source).isDirectory()
      ? readdirSync(source, { recursive: true, withFileTypes: true })
          .filter((f) => f.isFile())
          .map((f) => join(f.parentPath, f.name))
      : [source];
    for (const file of files) newest = Math.max(newest, statSync(file).mtimeMs);
  }
  return newest;
}

export async function ensureRendererBuilt(): Promise<void> {
  const index = join(RENDERER_DIR, 'index.html');
  if (
    existsSync(index) &&
    (!existsSync(join(REPO_ROOT, 'renderer')) || statSync(index).mtimeMs >= newestSource())
  )
    return;
  process.stdout.write('Building the renderer...\n');
  const { build } = await import('vite');
  await build({ configFile: join(REPO_ROOT, 'vite.config.ts'), logLevel: 'warn' });
}
