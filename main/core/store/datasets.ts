import type { Db } from '../db/connection.ts';

export interface DatasetSummary {
  id: number;
  name: string;
  sourceFormat: 'coco' | 'voc';
  sourcePath: string;
  importedAt: string;
  metadata: Record<string, unknown>;
  caseCount: number;
  boxCount: number;
  /** Cases per split; cases without a split are counted under 'none'. */
  splits: Record<string, number>;
}

interface DatasetRow {
  id: number;
  name: string;
  source_format: 'coco' | 'voc';
  source_path: string;
  imported_at: string;
  metadata: string;
}

export class Datasets {
  constructor(private readonly db: Db) {}

  list(): DatasetSummary[] {
    const rows = this.db.prepare('SELECT * FROM datasets ORDER BY id').all() as DatasetRow[];
    return rows.map((row) => this.summarize(row));
  }

  get(id: number): DatasetSummary {
    const row = this.db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as DatasetRow | undefined;
    if (!row) throw new Error(`no dataset with id ${id}`);
    return this.summarize(row);
  }

  byName(name: string): DatasetSummary | undefined {
    const row = this.db.prepare('SELECT * FROM datasets WHERE name = ?').get(name) as DatasetRow | undefined;
    return row && this.summarize(row);
  }

  /** Assigns train/val/test to cases by external id; ids not in the dataset are an error naming them. */
  assignSplits(datasetId: number, splits: Record<string, readonly string[]>): void {
    const update = this.db.prepare('UPDATE cases SET split = ? WHERE dataset_id = ? AND external_id = ?');
    this.db.transaction(() => {
      this.db.prepare('UPDATE cases SET split = NULL WHERE dataset_id = ?').run(datasetId);
      for (const [split, ids] of Object.entries(splits)) {
        if (!['train', 'val', 'test'].includes(split))
          throw new Error(`unknown split '${split}' (train, val, test)`);
        const missing = ids.filter((id) => update.run(split, datasetId, id).changes === 0);
        if (missing.length > 0) {
          throw new Error(
            `split '${split}': ${missing.length} image id(s) not in the dataset, e.g. ${missing.slice(0, 5).join(', ')}`,
          );
        }
      }
    })();
  }

  private summarize(row: DatasetRow): DatasetSummary {
    const count = (sql: string) => this.db.prepare(sql).pluck().get(row.id) as number;
    const splitRows = this.db
      .prepare(
        "SELECT coalesce(split, 'none') AS split, count(*) AS n FROM cases WHERE dataset_id = ? GROUP BY 1",
      )
      .all(row.id) as { split: string; n: number }[];
    return {
      id: row.id,
      name: row.name,
      sourceFormat: row.source_format,
      sourcePath: row.source_path,
      importedAt: row.imported_at,
      metadata: JSON.parse(row.metadata) as Record<string, unknown>,
      caseCount: count('SELECT count(*) FROM cases WHERE dataset_id = ?'),
      boxCount: count(
        'SELECT count(*) FROM case_boxes b JOIN cases c ON c.id = b.case_id WHERE c.dataset_id = ?',
      ),
      splits: Object.fromEntries(splitRows.map((r) => [r.split, r.n])),
    };
  }
}
