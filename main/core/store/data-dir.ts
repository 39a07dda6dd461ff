import { homedir } from 'node:os';
import { join } from 'node:path';

/** The per-user data folder: `DERMAREAD_DATA` when set, else the platform's usual place for application data. */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.DERMAREAD_DATA) return env.DERMAREAD_DATA;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'DermaRead');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'DermaRead');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'dermaread');
}
