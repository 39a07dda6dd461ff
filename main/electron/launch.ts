// `npm start`: the desktop app where Electron is installed; otherwise says so and how to use browser mode.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPO_ROOT } from '../http/renderer-build.ts';
import { electronBinary } from './binary.ts';

const binary = electronBinary();
if (!binary.path) {
  process.stderr.write(
    `DermaRead desktop: ${'reason' in binary ? binary.reason : ''}.\nUse browser mode instead: npx dermaread serve (or npx dermaread demo).\n`,
  );
  process.exit(1);
}
const child = spawn(
  binary.path,
  [join(REPO_ROOT, 'main', 'electron', 'entry.mjs'), ...process.argv.slice(2)],
  { stdio: 'inherit' },
);
child.on('exit', (code) => process.exit(code ?? 0));
