import type { Db } from '../db/connection.ts';
import type { ImageFiles } from './image-files.ts';

export type Split = 'train' | 'val' | 'test';

/** A case as anyone may see it: no ground truth, no model output. */
export interface Case {
  id: number;
  datasetId: number;
  externalId: string;
  fileName: string;
  imageSha256: string;
  width: number;
  height: number;
  split: Split | null;
  patient: Patient | null;
  metadata: Record<string, unknown>;
}

export interface Patient {
  id: number;
  pseudonym: string;
  sex: 'female' | 'male' | 'unknown' | null;
  age: number | null;
}

export interface Box {
  categoryId: number;
  category: string;
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface GroundTruth {
  caseId: number;
  /** Names of the categories present in the case. */
  labels: string[];
  boxes: Box[];
}

interface CaseRow {
  id: number;
  dataset_id: number;
  external_id: string;
  file_name: string;
  image_sha256: string;
  width: number;
  height: number;
  split: Split | null;
  metadata: string;
  patient_id: number | null;
  pseudonym: string | null;
  sex: Patient['sex'];
  age: number | null;
}

const SELECT_CASE = `SELECT c.*, p.pseudonym, p.sex, p.age FROM cases c LEFT JOIN patients p ON p.id = c.patient_id`;

export class Cases {
  constructor(
    private readonly db: Db,
    private readonly files: ImageFiles,
  ) {}

  list(filter: { datasetId?: number; split?: Split; limit?: number; offset?: number } = {}): Case[] {
    const rows = this.db
      .prepare(
        `${SELECT_CASE} WHERE (@datasetId IS NULL OR c.dataset_id = @datasetId) AND (@split IS NULL OR c.split = @split)
         ORDER BY c.id LIMIT @limit OFFSET @offset`,
      )
      .all({
        datasetId: filter.datasetId ?? null,
        split: filter.split ?? null,
        limit: filter.limit ?? -1,
        offset: filter.offset ?? 0,
      }) as CaseRow[];
    return rows.map(toCase);
  }

  count(filter: { datasetId?: number; split?: Split } = {}): number {
    return this.db
      .prepare(
        'SELECT count(*) FROM cases WHERE (@datasetId IS NULL OR dataset_id = @datasetId) AND (@split IS NULL OR split = @split)',
      )
      .pluck()
      .get({ datasetId: filter.datasetId ?? null, split: filter.split ?? null }) as number;
  }

  get(id: number): Case {
    const row = this.db.prepare(`${SELECT_CASE} WHERE c.id = ?`).get(id) as CaseRow | undefined;
    if (!row) throw new Error(`no case with id ${id}`);
    return toCase(row);
  }

  byExternalId(datasetId: number, externalId: string): Case | undefined {
    const row = this.db
      .prepare(`${SELECT_CASE} WHERE c.dataset_id = ? AND c.external_id = ?`)
      .get(datasetId, externalId) as CaseRow | undefined;
    return row && toCase(row);
  }

  /** Ground-truth labels and boxes: for coordinators, statistics and evaluation only, never for readers. */
  groundTruth(caseId: number): GroundTruth {
    const labels = this.db
      .prepare(
        'SELECT c.name FROM case_labels l JOIN categories c ON c.id = l.category_id WHERE l.case_id = ? ORDER BY c.id',
      )
      .pluck()
      .all(caseId) as string[];
    const boxes = this.db
      .prepare(
        `SELECT b.category_id AS categoryId, c.name AS category, b.x, b.y, b.w, b.h FROM case_boxes b
         JOIN categories c ON c.id = b.category_id WHERE b.case_id = ? ORDER BY b.id`,
      )
      .all(caseId) as Box[];
    return { caseId, labels, boxes };
  }

  /** Ground truth of every case of a dataset (optionally one split), keyed by case id. */
  groundTruthOfDataset(datasetId: number, split?: Split): Map<number, GroundTruth> {
    const result = new Map<number, GroundTruth>();
    for (const c of this.list({ datasetId, split }))
      result.set(c.id, { caseId: c.id, labels: [], boxes: [] });
    const labels = this.db
      .prepare(
        `SELECT l.case_id AS caseId, g.name FROM case_labels l JOIN cases c ON c.id = l.case_id
         JOIN categories g ON g.id = l.category_id WHERE c.dataset_id = ? ORDER BY g.id`,
      )
      .all(datasetId) as { caseId: number; name: string }[];
    for (const l of labels) result.get(l.caseId)?.labels.push(l.name);
    const boxes = this.db
      .prepare(
        `SELECT b.case_id AS caseId, b.category_id AS categoryId, g.name AS category, b.x, b.y, b.w, b.h
         FROM case_boxes b JOIN cases c ON c.id = b.case_id JOIN categories g ON g.id = b.category_id
         WHERE c.dataset_id = ? ORDER BY b.id`,
      )
      .all(datasetId) as (Box & { caseId: number })[];
    for (const { caseId, ...box } of boxes) result.get(caseId)?.boxes.push(box);
    return result;
  }

  imagePath(caseId: number): string {
    const row = this.db
      .prepare(
        'SELECT i.sha256, i.extension FROM cases c JOIN images i ON i.sha256 = c.image_sha256 WHERE c.id = ?',
      )
      .get(caseId) as { sha256: string; extension: string } | undefined;
    if (!row) throw new Error(`no case with id ${caseId}`);
    return this.files.imagePath(row.sha256, row.extension);
  }

  thumbnailPath(caseId: number): string {
    return this.files.thumbnailPath(this.get(caseId).imageSha256);
  }
}

function toCase(row: CaseRow): Case {
  return {
    id: row.id,
    datasetId: row.dataset_id,
    externalId: row.external_id,
    fileName: row.file_name,
    imageSha256: row.image_sha256,
    width: row.width,
    height: row.height,
    split: row.split,
    patient:
      row.patient_id === null
        ? null
        : { id: row.patient_id, pseudonym: row.pseudonym!, sex: row.sex, age: row.age },
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
  };
}
