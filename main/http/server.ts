// Browser mode: the same dispatch as the desktop app, over HTTP on 127.0.0.1 only. POST /api/<route> with a
// JSON body and `Authorization: Bearer <token>`; GET /api/events?token= streams coordinator events (SSE);
// everything else serves the built renderer.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve } from 'node:path';
import { ApiError, HTTP_STATUS, routes, type ApiErrorBody, type BinaryBody } from '../contract/index.ts';
import type { App } from '../api/app.ts';
import { isRoute } from '../api/dispatch.ts';

const MAX_BODY_BYTES = 2 * 1024 * 1024;
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; " +
  "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export interface HttpServerOptions {
  app: App;
  rendererDir: string;
  port: number;
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(text);
}

function sendError(res: ServerResponse, error: unknown): void {
  const apiError =
    error instanceof ApiError
      ? error
      : new ApiError('internal', error instanceof Error ? error.message : String(error));
  if (apiError.code === 'internal') process.stderr.write(`dermaread serve: ${apiError.message}\n`);
  const body: ApiErrorBody = { error: { code: apiError.code, message: apiError.message } };
  send(res, HTTP_STATUS[apiError.code], body);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ApiError('bad_request', `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new ApiError('bad_request', 'request body is not valid JSON');
  }
}

function bearer(req: IncomingMessage): string | null {
  const header = req.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice(7) : null;
}

function serveStatic(rendererDir: string, urlPath: string, res: ServerResponse): void {
  const root = resolve(rendererDir);
  let file = normalize(join(root, decodeURIComponent(urlPath)));
  if (!file.startsWith(root)) {
    res.writeHead(403).end();
    return;
  }
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html');
  if (!existsSync(file)) {
    res
      .writeHead(503, { 'content-type': 'text/plain' })
      .end('the renderer is not built: run `npm run build:renderer`');
    return;
  }
  const hashed = urlPath.startsWith('/assets/');
  res.writeHead(200, {
    'content-type': MIME[extname(file)] ?? 'application/octet-stream',
    'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  createReadStream(file).pipe(res);
}

function events(app: App, req: IncomingMessage, res: ServerResponse, url: URL): void {
  if (app.callerOf(url.searchParams.get('token')).role !== 'coordinator') {
    sendError(res, new ApiError('unauthorized', 'events are for the coordinator'));
    return;
  }
  res.writeHead(200, {
    'content-type': 'text/event-stream',
    'cache-control': 'no-store',
    connection: 'keep-alive',
  });
  res.write(': connected\n\n');
  const unsubscribe = app.onEvent((event, payload) =>
    res.write(`event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`),
  );
  req.on('close', unsubscribe);
}

export function createHttpServer({ app, rendererDir, port }: HttpServerOptions): Server {
  const server = createServer(async (req, res) => {
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('content-security-policy', CONTENT_SECURITY_POLICY);
    // DNS rebinding: a page from another origin that resolves its name to 127.0.0.1 must not reach the API
    const own = server.address() as AddressInfo;
    const host = req.headers.host ?? '';
    if (host !== `127.0.0.1:${own.port}` && host !== `localhost:${own.port}`) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('wrong host');
      return;
    }
    const url = new URL(req.url ?? '/', `http://${host}`);
    try {
      if (url.pathname === '/api/events' && req.method === 'GET') return events(app, req, res, url);
      if (url.pathname.startsWith('/api/')) {
        const name = url.pathname.slice(5);
        if (req.method !== 'POST') throw new ApiError('bad_request', 'API routes take POST');
        if (!isRoute(name)) throw new ApiError('not_found', `no API route "${name}"`);
        const result = await app.dispatch(name, await readJson(req), bearer(req));
        if (routes[name].binary) {
          const { mime, bytes } = result as BinaryBody;
          res.writeHead(200, {
            'content-type': mime,
            'cache-control': 'private, no-store',
            'content-length': bytes.length,
          });
          res.end(bytes);
          return;
        }
        send(res, 200, result);
        return;
      }
      if (req.method !== 'GET' && req.method !== 'HEAD')
        throw new ApiError('bad_request', 'only GET for files');
      serveStatic(rendererDir, url.pathname, res);
    } catch (error) {
      sendError(res, error);
    }
  });
  server.listen(port, '127.0.0.1');
  return server;
}

export function listening(server: Server): Promise<string> {
  return new Promise((done, fail) => {
    const ready = () => done(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    if (server.listening) ready();
    else server.once('listening', ready).once('error', fail);
  });
}
