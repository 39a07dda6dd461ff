import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ApiError, type Handlers } from '../contract/index.ts';
import { makeTempDir } from '../core/store/testing.ts';
import { openApp, type App } from './app.ts';
import { createDispatch } from './dispatch.ts';

const temp = makeTempDir('dispatch');
let app: App;
let coordinator: string;
let reader: string;

before(async () => {
  app = openApp(join(temp.path, 'data'));
  coordinator = (
    (await app.dispatch('session.setupCoordinator', { password: 'long enough' }, null)) as { token: string }
  ).token;
  const { accessCode } = (await app.dispatch('readers.create', { name: 'R' }, coordinator)) as {
    accessCode: string;
  };
  reader = (
    (await app.dispatch(
      'session.signInReader',
      { accessCode: accessCode.toLowerCase().replace(/-/g, ' ') },
      null,
    )) as { token: string }
  ).token;
});
after(() => {
  app.close();
  temp.remove();
});

const code = (expected: string) => (error: unknown) => error instanceof ApiError && error.code === expected;

test('each route is open only to its role', async () => {
  await assert.rejects(app.dispatch('studies.list', {}, null), code('unauthorized'));
  await assert.rejects(app.dispatch('studies.list', {}, reader), code('forbidden'));
  await assert.rejects(app.dispatch('reading.studies', {}, coordinator), code('forbidden'));
  await assert.rejects(app.dispatch('reading.studies', {}, 'a made-up token'), code('unauthorized'));
  await assert.rejects(app.dispatch('no.such.route', {}, coordinator), code('not_found'));
  assert.deepEqual(await app.dispatch('reading.studies', {}, reader), []);
  assert.equal(((await app.dispatch('session.status', {}, reader)) as { role: string }).role, 'reader');
});

test('requests are validated against the contract, naming the field', async () => {
  await assert.rejects(
    app.dispatch('studies.create', { name: '', datasetId: 1 }, coordinator),
    (e: unknown) =>
      e instanceof ApiError && e.code === 'bad_request' && /name/.test(e.message) && /sample/.test(e.message),
  );
  await assert.rejects(app.dispatch('reading.open', { studyId: 1, extra: true }, reader), /Unrecognized key/);
});

test('a reader response with a field outside the contract is withheld, not sent', async () => {
  const leaky = createDispatch(
    {
      'session.status': () => ({
        coordinatorConfigured: true,
        role: 'reader',
        reader: { id: 1, name: 'R' },
        groundTruth: 'mel',
      }),
    } as unknown as Handlers,
    () => ({
      role: 'reader',
      readerId: 1,
      name: 'R',
    }),
  );
  await assert.rejects(
    leaky('session.status', {}, 'token'),
    (e: unknown) => e instanceof ApiError && e.code === 'internal' && /withheld/.test(e.message),
  );
});

test('signing out ends the session; a reissued access code ends the old one', async () => {
  const { accessCode } = (await app.dispatch('readers.create', { name: 'S' }, coordinator)) as {
    accessCode: string;
    reader: { id: number };
  };
  const token = ((await app.dispatch('session.signInReader', { accessCode }, null)) as { token: string })
    .token;
  const readers = (await app.dispatch('readers.list', {}, coordinator)) as { id: number; name: string }[];
  const id = readers.find((r) => r.name === 'S')!.id;
  await app.dispatch('readers.reissueCode', { readerId: id }, coordinator);
  await assert.rejects(app.dispatch('reading.studies', {}, token), code('unauthorized'));
  await assert.rejects(app.dispatch('session.signInReader', { accessCode }, null), code('unauthorized'));
  await app.dispatch('session.signOut', {}, reader);
  await assert.rejects(app.dispatch('reading.studies', {}, reader), code('unauthorized'));
});

test('a session left unused for 12 hours ends', async () => {
  let now = Date.parse('2026-11-26T08:00:00Z');
  const clocked = openApp(join(temp.path, 'clocked'), { now: () => new Date(now) });
  try {
    const token = (
      (await clocked.dispatch('session.setupCoordinator', { password: 'long enough' }, null)) as {
        token: string;
      }
    ).token;
    now += 11 * 3600 * 1000;
    assert.deepEqual(await clocked.dispatch('studies.list', {}, token), []);
    now += 12 * 3600 * 1000 + 1;
    await assert.rejects(clocked.dispatch('studies.list', {}, token), code('unauthorized'));
  } finally {
    clocked.close();
  }
});
