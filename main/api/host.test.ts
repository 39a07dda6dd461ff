import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ApiError } from '../contract/index.ts';
import { makeTempDir, REPO_ROOT } from '../core/store/testing.ts';
import { dispatchOverChannel, type HostMessage } from './host.ts';

const temp = makeTempDir('host');
const child = fork(join(REPO_ROOT, 'main', 'api', 'host-entry.mjs'), ['--data', join(temp.path, 'data')], {
  serialization: 'advanced',
  stdio: 'inherit',
});
after(() => {
  child.disconnect();
  temp.remove();
});

test('the app answers calls from another process, errors keep their code', async () => {
  const { dispatch } = dispatchOverChannel({
    post: (m) => child.send(m),
    listen: (h) => child.on('message', (m) => h(m as HostMessage)),
  });
  assert.deepEqual(await dispatch('session.status', {}, null), {
    coordinatorConfigured: false,
    role: 'none',
    reader: null,
  });
  const { token } = (await dispatch('session.setupCoordinator', { password: 'through a channel' }, null)) as {
    token: string;
  };
  assert.deepEqual(await dispatch('studies.list', {}, token), []);
  await assert.rejects(
    dispatch('studies.list', {}, null),
    (e: unknown) => e instanceof ApiError && e.code === 'unauthorized',
  );
  const calls = await Promise.all([1, 2, 3].map((n) => dispatch('readers.create', { name: `R${n}` }, token)));
  assert.deepEqual(
    calls.map((c) => (c as { reader: { name: string } }).reader.name),
    ['R1', 'R2', 'R3'],
    'concurrent calls get their own replies',
  );
});
