import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  /** `<epoch-ms>_<name>`, the file name without `.sql`. */
  id: string;
  sql: string;
}

const MIGRATION_FILE = /^(\d{13})_([a-z0-9_]+)\.sql$/;

export function listMigrations(dir: string = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .map((file) => {
      if (!MIGRATION_FILE.test(file)) {
        throw new Error(`migration file ${file} in ${dir} is not named <epoch-ms>_<name>.sql`);
      }
      return { id: file.slice(0, -4), sql: readFileSync(join(dir, file), 'utf8') };
    })
    .sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * Applies, in order, every migration not yet recorded in `migrations`, each in its own transaction. A recorded id
 * with no file is an error: the database was made by a newer or different build and must not be touched.
 */
export function migrate(db: Database.Database, migrations: Migration[] = listMigrations()): string[] {
  db.exec('CREATE TABLE IF NOT EXISTS migrations (id TEXT PRIMARY KEY, applied_at TEXT NOT NULL)');
  const applied = db.prepare('SELECT id FROM migrations ORDER BY id').pluck().all() as string[];
  const known = new Set(migrations.map((m) => m.id));
  const unknown = applied.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new Error(
      `database has migrations this build does not know: ${unknown.join(', ')} (made by a newer version of DermaRead?)`,
    );
  }
  const done = new Set(applied);
  const record = db.prepare('INSERT INTO migrations (id, applied_at) VALUES (?, ?)');
  const newlyApplied: string[] = [];
  for (const migration of migrations) {
    if (done.has(migration.id)) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      record.run(migration.id, new Date().toISOString());
    })();
    newlyApplied.push(migration.id);
  }
  return newlyApplied;
}
