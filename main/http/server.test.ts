import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Server } from 'node:http';
import { openApp, type App } from '../api/app.ts';
import { makeTempDir } from '../core/store/testing.ts';
import { createHttpServer, listening } from './server.ts';

const temp = makeTempDir('http');
let app: App;
let server: Server;
let url: string;

before(async () => {
  const rendererDir = join(temp.path, 'renderer');
  mkdirSync(join(rendererDir, 'assets'), { recursive: true });
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>DermaRead</title>');
  writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(temp.path, 'secret.txt'), 'do not serve');
  app = openApp(join(temp.path, 'data'));
  server = createHttpServer({ app, rendererDir, port: 0 });
  url = await listening(server);
});
after(() => {
  server.close();
  app.close();
  temp.remove();
});

/** A raw request, so that the Host header and the path are exactly as given. */
function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string) {
  return new Promise<{ status: number; headers: Record<string, unknown>; text: string }>(
    (resolve, reject) => {
      const { port } = new URL(url);
      const req = request(
        { host: '127.0.0.1', port, method, path, headers: { host: `127.0.0.1:${port}`, ...headers } },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    },
  );
}

test('listens on 127.0.0.1 only and serves the renderer with a strict CSP', async () => {
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.equal((server.address() as { address: string }).address, '127.0.0.1');
  const page = await raw('GET', '/');
  assert.equal(page.status, 200);
  assert.match(page.text, /DermaRead/);
  assert.match(String(page.headers['content-security-policy']), /default-src 'self'.*object-src 'none'/);
  assert.equal(page.headers['x-content-type-options'], 'nosniff');
  assert.equal((await raw('GET', '/assets/app.js')).text, 'console.log(1)');
  assert.doesNotMatch((await raw('GET', '/../secret.txt')).text, /do not serve/);
  assert.doesNotMatch((await raw('GET', '/%2e%2e/secret.txt')).text, /do not serve/);
});

test('a request for another host name is refused (DNS rebinding)', async () => {
  const { port } = new URL(url);
  assert.equal((await raw('GET', '/', { host: `attacker.example:${port}` })).status, 421);
  assert.equal(
    (await raw('POST', '/api/session.status', { host: `attacker.example:${port}` }, '{}')).status,
    421,
  );
});

test('API routes take POST with JSON and answer errors with their code', async () => {
  const status = await raw('POST', '/api/session.status', { 'content-type': 'application/json' }, '{}');
  assert.equal(status.status, 200);
  assert.deepEqual(JSON.parse(status.text), { coordinatorConfigured: false, role: 'none', reader: null });
  assert.equal((await raw('GET', '/api/session.status')).status, 400);
  assert.equal((await raw('POST', '/api/no.such.route', {}, '{}')).status, 404);
  assert.equal((await raw('POST', '/api/studies.list', {}, '{}')).status, 401);
  const broken = await raw('POST', '/api/session.status', {}, '{not json');
  assert.equal(broken.status, 400);
  assert.match(JSON.parse(broken.text).error.message, /not valid JSON/);
  assert.equal((await raw('POST', '/api/session.status', {}, 'x'.repeat(3 * 1024 * 1024))).status, 400);
});
