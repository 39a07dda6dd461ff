import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { openDatabase } from './connection.ts';
import { listMigrations, migrate } from './migrate.ts';

const dir = mkdtempSync(join(tmpdir(), 'dermaread-migrate-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a fresh database gets every migration, WAL and foreign keys', () => {
  const path = join(dir, 'fresh.sqlite');
  const db = openDatabase(path);
  const ids = db.prepare('SELECT id FROM migrations ORDER BY id').pluck().all();
  assert.deepEqual(
    ids,
    listMigrations().map((m) => m.id),
  );
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('foreign_keys', { simple: true }), 1);
  assert.ok((db.prepare('SELECT count(*) FROM categories').pluck().get() as number) >= 8);
  assert.throws(
    () => db.prepare('INSERT INTO case_labels (case_id, category_id) VALUES (999, 1)').run(),
    /FOREIGN KEY constraint failed/,
  );
  db.close();
  // Reopening applies nothing twice.
  const again = openDatabase(path);
  assert.deepEqual(migrate(again), []);
  again.close();
});

test('migrations run in id order, each once, and a failing one leaves nothing behind', () => {
  const db = new Database(join(dir, 'order.sqlite'));
  const first = { id: '1000000000000_a', sql: 'CREATE TABLE a (x INTEGER);' };
  const second = { id: '1000000000001_b', sql: 'INSERT INTO a VALUES (1);' };
  assert.deepEqual(
    migrate(
      db,
      [second, first].sort((x, y) => x.id.localeCompare(y.id)),
    ),
    [first.id, second.id],
  );
  const broken = { id: '1000000000002_c', sql: 'INSERT INTO a VALUES (2); INSERT INTO missing VALUES (1);' };
  assert.throws(() => migrate(db, [first, second, broken]), /no such table: missing/);
  assert.equal(db.prepare('SELECT count(*) FROM a').pluck().get(), 1);
  assert.deepEqual(db.prepare('SELECT id FROM migrations').pluck().all(), [first.id, second.id]);
  db.close();
});

test('an applied migration this build does not know is an error', () => {
  const path = join(dir, 'newer.sqlite');
  openDatabase(path).close();
  const raw = new Database(path);
  raw.prepare('INSERT INTO migrations (id, applied_at) VALUES (?, ?)').run('9999999999999_future', 'x');
  raw.close();
  assert.throws(() => openDatabase(path), /does not know: 9999999999999_future/);
});

test('a badly named migration file is refused', () => {
  const migrations = join(dir, 'bad-migrations');
  mkdirSync(migrations);
  writeFileSync(join(migrations, 'initial.sql'), 'SELECT 1;');
  assert.throws(() => listMigrations(migrations), /initial\.sql .* not named <epoch-ms>_<name>\.sql/);
});
