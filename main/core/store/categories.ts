import type { Db } from '../db/connection.ts';

export interface Category {
  id: number;
  name: string;
  title: string;
  description: string;
}

export class Categories {
  constructor(private readonly db: Db) {}

  list(): Category[] {
    return this.db
      .prepare('SELECT id, name, title, description FROM categories ORDER BY id')
      .all() as Category[];
  }

  byName(name: string): Category | undefined {
    return this.db.prepare('SELECT id, name, title, description FROM categories WHERE name = ?').get(name) as
      Category | undefined;
  }

  /** The category with this name, created (title = name, no description) when it is new. */
  ensure(name: string): Category {
    this.db.prepare('INSERT OR IGNORE INTO categories (name, title) VALUES (?, ?)').run(name, name);
    return this.byName(name)!;
  }

  describe(name: string, title: string, description: string): Category {
    const changed = this.db
      .prepare('UPDATE categories SET title = ?, description = ? WHERE name = ?')
      .run(title, description, name).changes;
    if (changed === 0) throw new Error(`no category named '${name}'`);
    return this.byName(name)!;
  }

  /** The categories a dataset declares, in the order of their source ids (COCO ids, or VOC names). */
  ofDataset(datasetId: number): Category[] {
    return this.db
      .prepare(
        `SELECT c.id, c.name, c.title, c.description FROM dataset_categories dc
         JOIN categories c ON c.id = dc.category_id WHERE dc.dataset_id = ? ORDER BY c.id`,
      )
      .all(datasetId) as Category[];
  }
}
