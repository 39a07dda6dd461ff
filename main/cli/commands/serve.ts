// `dermaread serve [--port N] [--db FILE|DIR]`: browser mode on 127.0.0.1.
import { parseArgs } from 'node:util';
import { openApp } from '../../api/app.ts';
import { defaultDataDir } from '../../core/store/data-dir.ts';
import { coordinatorConfigured } from '../../core/studies/access.ts';
import { ensureRendererBuilt, RENDERER_DIR } from '../../http/renderer-build.ts';
import { createHttpServer, listening } from '../../http/server.ts';

export const describe = 'serve the app to a browser on 127.0.0.1 (--port N, default 5610; --db FILE|DIR)';

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { port: { type: 'string', default: '5610' }, db: { type: 'string' } },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port: not a port number: ${values.port}`);
  await serve({ location: values.db ?? defaultDataDir(), port });
  return await new Promise<number>(() => {});
}

/** Starts browser mode and prints its URL; stops cleanly on SIGINT/SIGTERM. */
export async function serve(options: { location: string; port: number; banner?: string[] }): Promise<string> {
  await ensureRendererBuilt();
  const app = openApp(options.location);
  const server = createHttpServer({ app, rendererDir: RENDERER_DIR, port: options.port });
  const url = await listening(server);
  const stop = () => {
    server.close();
    server.closeAllConnections();
    app.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const firstStart = coordinatorConfigured(app.store.db)
    ? []
    : ['No coordinator password yet: set it on the sign-in screen (first start).'];
  process.stdout.write(
    [
      `DermaRead is serving ${app.store.databasePath}`,
      ...firstStart,
      ...(options.banner ?? []),
      `Open ${url}`,
      '',
    ].join('\n'),
  );
  return url;
}
