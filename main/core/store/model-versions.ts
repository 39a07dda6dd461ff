import type { Db } from '../db/connection.ts';
import type { Manifest } from '../models/manifest.ts';

export type ModelStatus = 'inactive' | 'active' | 'retired';

export interface ModelVersion {
  id: number;
  name: string;
  version: string;
  task: Manifest['task'];
  sha256: string;
  /** Folder holding model.onnx and manifest.json, relative to the data folder. */
  folder: string;
  status: ModelStatus;
  addedAt: string;
  retiredAt: string | null;
  manifest: Manifest;
  /** Output index i -> category; labels[i].label is the manifest's own name. */
  labels: { index: number; label: string; categoryId: number; category: string }[];
}

interface ModelRow {
  id: number;
  name: string;
  version: string;
  task: Manifest['task'];
  sha256: string;
  folder: string;
  status: ModelStatus;
  added_at: string;
  retired_at: string | null;
  manifest: string;
}

/** Rows of registered model versions. Validation and files live in main/core/models/registry.ts. */
export class ModelVersions {
  constructor(private readonly db: Db) {}

  insert(entry: { manifest: Manifest; folder: string; categoryIds: number[] }): number {
    const { manifest } = entry;
    const id = Number(
      this.db
        .prepare(
          `INSERT INTO model_versions (name, version, task, sha256, folder, manifest, added_at)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          manifest.name,
          manifest.version,
          manifest.task,
          manifest.sha256,
          entry.folder,
          JSON.stringify(manifest),
          new Date().toISOString(),
        ).lastInsertRowid,
    );
    const label = this.db.prepare(
      'INSERT INTO model_labels (model_version_id, label_index, label, category_id) VALUES (?, ?, ?, ?)',
    );
    manifest.labels.forEach((name, index) => label.run(id, index, name, entry.categoryIds[index]));
    return id;
  }

  list(filter: { task?: Manifest['task']; includeRetired?: boolean } = {}): ModelVersion[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM model_versions WHERE (@task IS NULL OR task = @task) AND (@retired = 1 OR status != 'retired')
         ORDER BY id`,
      )
      .all({ task: filter.task ?? null, retired: filter.includeRetired === false ? 0 : 1 }) as ModelRow[];
    return rows.map((row) => this.toModel(row));
  }

  get(id: number): ModelVersion {
    const row = this.db.prepare('SELECT * FROM model_versions WHERE id = ?').get(id) as ModelRow | undefined;
    if (!row) throw new Error(`no model version with id ${id}`);
    return this.toModel(row);
  }

  find(name: string, version: string): ModelVersion | undefined {
    const row = this.db
      .prepare('SELECT * FROM model_versions WHERE name = ? AND version = ?')
      .get(name, version) as ModelRow | undefined;
    return row && this.toModel(row);
  }

  active(task: Manifest['task']): ModelVersion | undefined {
    const row = this.db
      .prepare("SELECT * FROM model_versions WHERE task = ? AND status = 'active'")
      .get(task) as ModelRow | undefined;
    return row && this.toModel(row);
  }

  /** Makes this version the active one of its task; the previously active one becomes inactive. */
  activate(id: number): void {
    const model = this.get(id);
    if (model.status === 'retired')
      throw new Error(`model ${model.name} ${model.version} is retired and cannot be activated`);
    this.db.transaction(() => {
      this.db
        .prepare("UPDATE model_versions SET status = 'inactive' WHERE task = ? AND status = 'active'")
        .run(model.task);
      this.db.prepare("UPDATE model_versions SET status = 'active' WHERE id = ?").run(id);
    })();
  }

  /** Retires a version: it can no longer run or be activated; its predictions stay for comparison. */
  retire(id: number): void {
    this.get(id);
    this.db
      .prepare("UPDATE model_versions SET status = 'retired', retired_at = ? WHERE id = ?")
      .run(new Date().toISOString(), id);
  }

  private toModel(row: ModelRow): ModelVersion {
    const labels = this.db
      .prepare(
        `SELECT l.label_index AS "index", l.label, l.category_id AS categoryId, c.name AS category
         FROM model_labels l JOIN categories c ON c.id = l.category_id WHERE l.model_version_id = ? ORDER BY l.label_index`,
      )
      .all(row.id) as ModelVersion['labels'];
    return {
      id: row.id,
      name: row.name,
      version: row.version,
      task: row.task,
      sha256: row.sha256,
      folder: row.folder,
      status: row.status,
      addedAt: row.added_at,
      retiredAt: row.retired_at,
      manifest: JSON.parse(row.manifest) as Manifest,
      labels,
    };
  }
}
