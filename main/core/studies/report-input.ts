// A study's data as the report's plain input (main/core/reports): its cases with ground truth, the committed
// readings of every reader (both phases), and every model version that has predictions on all of its cases.
// Drafts never enter a report.
import type { ReportInput, WithdrawnReader } from '../reports/input.ts';
import type { Db } from '../db/connection.ts';

export function studyReportInput(db: Db, studyId: number): ReportInput {
  const study = db
    .prepare('SELECT name, assisted_model_version_id AS assisted FROM studies WHERE id = ?')
    .get(studyId) as {
    name: string;
    assisted: number | null;
  };
  const categories = db
    .prepare(
      'SELECT c.id, c.name FROM study_categories sc JOIN categories c ON c.id = sc.category_id WHERE sc.study_id = ? ORDER BY sc.position',
    )
    .all(studyId) as { id: number; name: string }[];
  const names = categories.map((c) => c.name);
  const caseRows = db
    .prepare(
      `SELECT sc.case_id AS id, p.pseudonym AS patient FROM study_cases sc JOIN cases c ON c.id = sc.case_id
       LEFT JOIN patients p ON p.id = c.patient_id WHERE sc.study_id = ? ORDER BY sc.case_id`,
    )
    .all(studyId) as { id: number; patient: string | null }[];
  const caseIds = caseRows.map((r) => r.id);
  const labels = db
    .prepare(
      'SELECT c.name FROM case_labels l JOIN categories c ON c.id = l.category_id WHERE l.case_id = ? ORDER BY c.name',
    )
    .pluck();
  const truthBoxes = db.prepare(
    'SELECT c.name AS category, b.x, b.y, b.w, b.h FROM case_boxes b JOIN categories c ON c.id = b.category_id WHERE b.case_id = ?',
  );
  const cases = caseRows.map(({ id, patient }) => ({
    id: String(id),
    labels: labels.all(id) as string[],
    patient,
    boxes: (truthBoxes.all(id) as { category: string; x: number; y: number; w: number; h: number }[]).map(
      (b) => ({
        category: b.category,
        bbox: [b.x, b.y, b.w, b.h] as [number, number, number, number],
      }),
    ),
  }));

  // the assisted model first: the report takes the first model as its reference
  const modelIds = (
    db
      .prepare(
        `SELECT p.model_version_id FROM predictions p JOIN study_cases sc ON sc.case_id = p.case_id AND sc.study_id = ?
         GROUP BY p.model_version_id HAVING count(*) = ? ORDER BY p.model_version_id`,
      )
      .pluck()
      .all(studyId, caseIds.length) as number[]
  ).sort((a, b) => Number(b === study.assisted) - Number(a === study.assisted));
  const scoreRows = db.prepare(
    'SELECT case_id AS caseId, category_id AS categoryId, probability FROM prediction_scores WHERE model_version_id = ?',
  );
  const boxRows = db.prepare(
    'SELECT b.case_id AS caseId, c.name AS category, b.score, b.x, b.y, b.w, b.h FROM prediction_boxes b JOIN categories c ON c.id = b.category_id WHERE b.model_version_id = ?',
  );
  const inStudy = new Set(caseIds);
  const models = modelIds.map((modelId) => {
    const model = db.prepare('SELECT name, version FROM model_versions WHERE id = ?').get(modelId) as {
      name: string;
      version: string;
    };
    const scores: Record<string, number[]> = {};
    for (const row of scoreRows.all(modelId) as {
      caseId: number;
      categoryId: number;
      probability: number;
    }[]) {
      const k = categories.findIndex((c) => c.id === row.categoryId);
      if (!inStudy.has(row.caseId) || k < 0) continue;
      (scores[String(row.caseId)] ??= new Array<number>(names.length).fill(0))[k] = row.probability;
    }
    const boxes: Record<
      string,
      { category: string; bbox: [number, number, number, number]; score: number }[]
    > = {};
    for (const b of boxRows.all(modelId) as {
      caseId: number;
      category: string;
      score: number;
      x: number;
      y: number;
      w: number;
      h: number;
    }[]) {
      if (inStudy.has(b.caseId))
        (boxes[String(b.caseId)] ??= []).push({
          category: b.category,
          bbox: [b.x, b.y, b.w, b.h],
          score: b.score,
        });
    }
    return { name: `${model.name} ${model.version}`, scores, boxes };
  });

  const enrolled = db
    .prepare(
      `SELECT r.id, r.name, sr.withdrawn_at AS withdrawnAt, sr.withdrawal_reason AS reason,
         (SELECT count(*) FROM readings x WHERE x.study_id = sr.study_id AND x.reader_id = sr.reader_id
            AND x.committed_at IS NOT NULL) AS readings
       FROM study_readers sr JOIN readers r ON r.id = sr.reader_id WHERE sr.study_id = ? ORDER BY r.id`,
    )
    .all(studyId) as ({ id: number; withdrawnAt: string | null } & Omit<WithdrawnReader, 'withdrawnAt'>)[];
  const readers = enrolled
    .filter((r) => r.withdrawnAt === null)
    .map((r) => ({ id: String(r.id), name: r.name }));
  const withdrawnReaders = enrolled.flatMap(({ name, withdrawnAt, reason, readings }) =>
    withdrawnAt === null ? [] : [{ name, withdrawnAt, reason, readings }],
  );
  const readingRows = db
    .prepare(
      `SELECT r.id, r.reader_id AS readerId, sc.case_id AS caseId, r.phase, c.name AS category, r.confidence, r.elapsed_ms AS elapsedMs
       FROM readings r JOIN study_cases sc ON sc.id = r.study_case_id LEFT JOIN categories c ON c.id = r.category_id
       JOIN study_readers sr ON sr.study_id = r.study_id AND sr.reader_id = r.reader_id
       WHERE r.study_id = ? AND r.committed_at IS NOT NULL AND sr.withdrawn_at IS NULL ORDER BY r.id`,
    )
    .all(studyId) as {
    id: number;
    readerId: number;
    caseId: number;
    phase: 'unaided' | 'assisted';
    category: string | null;
    confidence: number | null;
    elapsedMs: number | null;
  }[];
  const probabilities = db.prepare(
    'SELECT c.name, p.probability FROM reading_probabilities p JOIN categories c ON c.id = p.category_id WHERE p.reading_id = ?',
  );
  const readingBoxes = db.prepare(
    'SELECT c.name AS category, b.x, b.y, b.w, b.h FROM reading_boxes b JOIN categories c ON c.id = b.category_id WHERE b.reading_id = ?',
  );
  const readings = readingRows.map((r) => {
    const probs = probabilities.all(r.id) as { name: string; probability: number }[];
    return {
      readerId: String(r.readerId),
      caseId: String(r.caseId),
      phase: r.phase,
      answer: {
        category: r.category,
        confidence: r.confidence,
        probabilities: probs.length
          ? Object.fromEntries(probs.map((p) => [p.name, p.probability * 100]))
          : null,
      },
      timeMs: r.elapsedMs,
      boxes: (
        readingBoxes.all(r.id) as { category: string; x: number; y: number; w: number; h: number }[]
      ).map((b) => ({
        category: b.category,
        bbox: [b.x, b.y, b.w, b.h] as [number, number, number, number],
      })),
    };
  });
  return { title: study.name, categories: names, cases, models, readers, readings, withdrawnReaders };
}
