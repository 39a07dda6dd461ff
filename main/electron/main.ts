// The Electron main process: a thin shell around the same app as browser mode, which runs in a utility
// process (main/api/host-process.ts) so inference and image decoding never stall the window. One window,
// sandboxed, with context isolation and no Node in the page; a strict CSP; only the app's own files are loaded
// (app://); navigation, new windows, permissions and remote requests are refused.
import { app, BrowserWindow, ipcMain, net, protocol, session, utilityProcess } from 'electron';
import { existsSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { pathToFileURL } from 'node:url';
import { dispatchOverChannel, type HostMessage } from '../api/host.ts';
import { defaultDataDir } from '../core/store/data-dir.ts';
import { ensureRendererBuilt, RENDERER_DIR, REPO_ROOT } from '../http/renderer-build.ts';
import { CONTENT_SECURITY_POLICY } from '../http/server.ts';
import { EVENT_CHANNEL, INVOKE_CHANNEL } from './bridge.ts';
import { buildPreload, PRELOAD_BUNDLE } from './build.ts';
import { ipcHandler } from './ipc.ts';

const ORIGIN = 'app://dermaread';

function dataLocation(argv: string[]): string {
  const flag = argv.indexOf('--data');
  return flag >= 0 && argv[flag + 1] ? argv[flag + 1] : defaultDataDir();
}

protocol.registerSchemesAsPrivileged([
  { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);
app.enableSandbox();

async function start(): Promise<void> {
  // a packaged app carries both builds (its files are read-only); a development run makes them fresh
  if (!app.isPackaged) await ensureRendererBuilt();
  const preload = app.isPackaged ? PRELOAD_BUNDLE : buildPreload();
  const host = utilityProcess.fork(
    join(REPO_ROOT, 'main', 'api', 'host-entry.mjs'),
    ['--data', dataLocation(process.argv)],
    {
      serviceName: 'DermaRead core',
      stdio: 'inherit',
    },
  );
  host.on('exit', (code) => {
    process.stderr.write(`DermaRead core process ended (${code}); closing.\n`);
    app.quit();
  });
  const dermaread = dispatchOverChannel({
    post: (m) => host.postMessage(m),
    listen: (h) => host.on('message', (m: HostMessage) => h(m)),
  });
  app.on('will-quit', () => host.kill());

  protocol.handle('app', async (request) => {
    const url = new URL(request.url);
    const file = normalize(join(RENDERER_DIR, decodeURIComponent(url.pathname)));
    if (url.host !== 'dermaread' || !file.startsWith(RENDERER_DIR) || !existsSync(file))
      return new Response('not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(response.headers);
    headers.set('content-security-policy', CONTENT_SECURITY_POLICY);
    return new Response(response.body, { status: response.status, headers });
  });

  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, _permission, done) => done(false));
  ses.webRequest.onBeforeRequest((details, done) => {
    const allowed =
      details.url.startsWith(`${ORIGIN}/`) ||
      details.url.startsWith('devtools://') ||
      details.url.startsWith('blob:app://');
    done({ cancel: !allowed });
  });

  ipcMain.handle(INVOKE_CHANNEL, ipcHandler(dermaread.dispatch, `${ORIGIN}/`));

  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 1024,
    minHeight: 700,
    title: 'DermaRead',
    backgroundColor: '#f4f6f8',
    show: false,
    webPreferences: {
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
      preload,
    },
  });
  window.webContents.on('will-navigate', (event, url) => {
    if (!url.startsWith(`${ORIGIN}/`)) event.preventDefault();
  });
  window.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  window.webContents.on('will-attach-webview', (event) => event.preventDefault());
  const unsubscribe = dermaread.onEvent((name, payload) => {
    if (!window.isDestroyed()) window.webContents.send(EVENT_CHANNEL, name, payload);
  });
  window.on('closed', unsubscribe);
  window.once('ready-to-show', () => window.show());
  await window.loadURL(`${ORIGIN}/index.html`);
}

app.whenReady().then(start, (error: unknown) => {
  process.stderr.write(
    `DermaRead could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  app.exit(1);
});
app.on('window-all-closed', () => app.quit());
