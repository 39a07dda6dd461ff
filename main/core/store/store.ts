import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { openDatabase, type Db } from '../db/connection.ts';
import { AuditLog } from './audit.ts';
import { Cases } from './cases.ts';
import { Categories } from './categories.ts';
import { Datasets } from './datasets.ts';
import { ImageFiles } from './image-files.ts';
import { ModelVersions } from './model-versions.ts';
import { Predictions } from './predictions.ts';

export const DATABASE_FILE = 'dermaread.sqlite';

/**
 * The app's storage: one SQLite database plus the content-addressed image and model files beside it, with one
 * typed API per concept. Import, model registration and prediction jobs are functions over a Store
 * (datasets/import.ts, models/registry.ts, inference/prediction-job.ts); studies build on `db` directly.
 */
export class Store {
  readonly categories: Categories;
  readonly datasets: Datasets;
  readonly cases: Cases;
  readonly models: ModelVersions;
  readonly predictions: Predictions;
  readonly audit: AuditLog;
  readonly files: ImageFiles;

  private constructor(
    readonly db: Db,
    readonly dataDir: string,
    readonly databasePath: string,
  ) {
    this.files = new ImageFiles(db, dataDir);
    this.categories = new Categories(db);
    this.datasets = new Datasets(db);
    this.cases = new Cases(db, this.files);
    this.models = new ModelVersions(db);
    this.predictions = new Predictions(db);
    this.audit = new AuditLog(db);
  }

  /**
   * Opens the store in a data folder (created if needed; the database is `<folder>/dermaread.sqlite`), or a
   * database file ending in .sqlite or .db, whose folder then holds the images and models.
   */
  static open(location: string): Store {
    const isFile = /\.(sqlite|sqlite3|db)$/i.test(location);
    const dataDir = isFile ? dirname(location) : location;
    const databasePath = isFile ? location : join(dataDir, DATABASE_FILE);
    mkdirSync(dataDir, { recursive: true });
    const store = new Store(openDatabase(databasePath), dataDir, databasePath);
    for (const runId of store.predictions.failAbandonedRuns()) {
      store.audit.record('system', 'prediction.interrupted', 'prediction_run', runId, {});
    }
    return store;
  }

  /** Runs `fn` in one transaction (nested calls become savepoints). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  /** Absolute folder of a registered model version. */
  modelFolder(relative: string): string {
    return join(this.dataDir, relative);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
