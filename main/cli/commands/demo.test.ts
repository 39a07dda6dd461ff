import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Store } from '../../core/store/store.ts';
import { makeTempDir, tinyClassifierCopy } from '../../core/store/testing.ts';
import { buildDemo, DEMO_COORDINATOR_PASSWORD } from './demo.ts';

const temp = makeTempDir('demo');
after(() => temp.remove());

test('the demo database holds both samples, a model with its predictions, readers and studies ready to read', async () => {
  const models = join(temp.path, 'models');
  tinyClassifierCopy(join(models, 'classifier'));
  const lines: string[] = [];
  const info = await buildDemo(join(temp.path, 'data'), (line) => lines.push(line), models);
  assert.equal(info.coordinatorPassword, DEMO_COORDINATOR_PASSWORD);
  assert.equal(info.readers.length, 2);
  assert.ok(
    lines.some((l) => /no bundled model in .*detector/.test(l)),
    'a missing model is said, not fatal',
  );

  const store = Store.open(join(temp.path, 'data'));
  try {
    const count = (sql: string) => store.db.prepare(sql).pluck().get() as number;
    assert.equal(
      count(
        "SELECT count(*) FROM cases c JOIN datasets d ON d.id = c.dataset_id WHERE d.name = 'ham10000 sample' AND c.split = 'test'",
      ),
      239,
    );
    assert.equal(
      count(
        "SELECT count(*) FROM cases c JOIN datasets d ON d.id = c.dataset_id WHERE d.name = 'acne04 sample'",
      ),
      20,
    );
    assert.equal(count('SELECT count(*) FROM predictions'), 239);
    const studies = store.db
      .prepare('SELECT name, assisted_model_version_id AS assisted, status FROM studies ORDER BY id')
      .all() as { name: string; assisted: number | null; status: string }[];
    assert.equal(studies.length, 2);
    assert.ok(studies[0].assisted !== null, 'the diagnosis study has the AI-assisted read');
    assert.ok(studies.every((s) => s.status === 'open'));
    assert.equal(count('SELECT count(*) FROM study_readers'), 4);
  } finally {
    store.close();
  }
});
