// The coordinator's side of a study: the case catalogue, readers and their access codes, creating a study
// (case selection and per-reader orders, both seeded and recorded), following progress, closing it.
import {
  ApiError,
  type DatasetInfo,
  type ParsedRequestOf,
  type ReaderInfo,
  type ReaderProgress,
  type StudyDetail,
  type StudySummary,
} from '../../contract/index.ts';
import { accessCodeHash, audit, newAccessCode, revokeReaderSessions } from './access.ts';
import { medianSeconds, studyRow, type StudyContext, type StudyRow } from './context.ts';
import { readerProgress } from './progress.ts';
import { readerOrderSeed, shuffled, stratifiedSample } from './random.ts';

type CreateStudy = ParsedRequestOf<'studies.create'>;
type UpdateStudy = ParsedRequestOf<'studies.update'>;

// cases without a patient count as their own
const PATIENTS = 'count(DISTINCT coalesce(patient_id, -id))';

export function listDatasets({ db }: StudyContext): DatasetInfo[] {
  const datasets = db.prepare('SELECT id, name FROM datasets ORDER BY id').all() as {
    id: number;
    name: string;
  }[];
  return datasets.map(({ id, name }) => ({
    id,
    name,
    caseCount: db.prepare('SELECT count(*) FROM cases WHERE dataset_id = ?').pluck().get(id) as number,
    patientCount: db.prepare(`SELECT ${PATIENTS} FROM cases WHERE dataset_id = ?`).pluck().get(id) as number,
    splits: db
      .prepare(
        `SELECT split AS name, count(*) AS caseCount, ${PATIENTS} AS patientCount FROM cases
         WHERE dataset_id = ? AND split IS NOT NULL GROUP BY split ORDER BY split`,
      )
      .all(id) as { name: string; caseCount: number; patientCount: number }[],
    categories: datasetCategories(db, id),
    countsByCategory: Object.fromEntries(
      (
        db
          .prepare(
            `SELECT cat.name, count(*) AS n FROM case_labels l JOIN cases c ON c.id = l.case_id
             JOIN categories cat ON cat.id = l.category_id WHERE c.dataset_id = ? GROUP BY cat.name ORDER BY cat.name`,
          )
          .all(id) as { name: string; n: number }[]
      ).map((r) => [r.name, r.n]),
    ),
  }));
}

function datasetCategories(db: StudyContext['db'], datasetId: number) {
  return db
    .prepare(
      `SELECT c.id, c.name AS code, c.title AS name, c.description FROM dataset_categories dc
       JOIN categories c ON c.id = dc.category_id WHERE dc.dataset_id = ? ORDER BY c.id`,
    )
    .all(datasetId) as { id: number; code: string; name: string; description: string }[];
}

// ---- readers -------------------------------------------------------------------------------------------

function readerInfo({ db }: StudyContext, readerId: number): ReaderInfo {
  const row = db
    .prepare("SELECT id, name, created_at AS createdAt FROM readers WHERE id = ? AND role = 'reader'")
    .get(readerId) as { id: number; name: string; createdAt: string } | undefined;
  if (!row) throw new ApiError('not_found', `no reader with id ${readerId}`);
  const studyIds = db
    .prepare('SELECT study_id FROM study_readers WHERE reader_id = ? ORDER BY study_id')
    .pluck()
    .all(readerId) as number[];
  return { ...row, studyIds };
}

export function listReaders(ctx: StudyContext): ReaderInfo[] {
  const ids = ctx.db
    .prepare("SELECT id FROM readers WHERE role = 'reader' AND disabled_at IS NULL ORDER BY id")
    .pluck()
    .all() as number[];
  return ids.map((id) => readerInfo(ctx, id));
}

/** A new reader and their access code; the code is shown this once (only its hash is stored). */
export function createReader(ctx: StudyContext, name: string): { reader: ReaderInfo; accessCode: string } {
  const now = ctx.now();
  const accessCode = newAccessCode();
  const id = ctx.db.transaction(() => {
    const { lastInsertRowid } = ctx.db
      .prepare("INSERT INTO readers (name, access_code, role, created_at) VALUES (?, ?, 'reader', ?)")
      .run(name.trim(), accessCodeHash(accessCode), now.toISOString());
    audit(ctx.db, now, 'coordinator', 'reader.create', 'reader', Number(lastInsertRowid), {
      name: name.trim(),
    });
    return Number(lastInsertRowid);
  })();
  return { reader: readerInfo(ctx, id), accessCode };
}

/** Replaces a reader's access code (a lost code); the old one and its sessions stop working. */
export function reissueAccessCode(
  ctx: StudyContext,
  readerId: number,
): { reader: ReaderInfo; accessCode: string } {
  const now = ctx.now();
  readerInfo(ctx, readerId);
  const accessCode = newAccessCode();
  ctx.db.transaction(() => {
    ctx.db
      .prepare('UPDATE readers SET access_code = ? WHERE id = ?')
      .run(accessCodeHash(accessCode), readerId);
    revokeReaderSessions(ctx.db, readerId, now);
    audit(ctx.db, now, 'coordinator', 'reader.reissue_code', 'reader', readerId, {});
  })();
  return { reader: readerInfo(ctx, readerId), accessCode };
}

// ---- studies -------------------------------------------------------------------------------------------

function requireStudy(ctx: StudyContext, studyId: number): StudyRow {
  const study = studyRow(ctx.db, studyId);
  if (!study) throw new ApiError('not_found', `no study with id ${studyId}`);
  return study;
}

/**
 * Chooses the study's cases: every case of the dataset (or split), or a stratified sample by ground truth;
 * with onePerPatient, from the first case of each patient only.
 */
function selectCases(ctx: StudyContext, request: CreateStudy): number[] {
  const { db } = ctx;
  const rows = db
    .prepare(
      `SELECT id, stratum FROM (
         SELECT c.id, c.patient_id, row_number() OVER (PARTITION BY c.patient_id ORDER BY c.id) AS nth,
           coalesce((SELECT group_concat(name, '+') FROM (SELECT cat.name FROM case_labels l
             JOIN categories cat ON cat.id = l.category_id WHERE l.case_id = c.id ORDER BY cat.name)), '(none)') AS stratum
         FROM cases c WHERE c.dataset_id = ? AND (? IS NULL OR c.split = ?))
       WHERE ? = 0 OR patient_id IS NULL OR nth = 1 ORDER BY id`,
    )
    .all(request.datasetId, request.split, request.split, +request.onePerPatient) as {
    id: number;
    stratum: string;
  }[];
  if (rows.length === 0) {
    throw new ApiError(
      'bad_request',
      `dataset ${request.datasetId}${request.split ? ` split "${request.split}"` : ''} has no cases`,
    );
  }
  if (request.sample.kind === 'all') return rows.map((r) => r.id);
  if (request.sample.n > rows.length) {
    throw new ApiError(
      'bad_request',
      `sample.n: ${request.sample.n} cases asked for, only ${rows.length} available${request.onePerPatient ? ' (one per patient)' : ''}`,
    );
  }
  return stratifiedSample(rows, (r) => r.stratum, request.sample.n, request.sample.seed).map((r) => r.id);
}

function checkAssistedModel(ctx: StudyContext, modelVersionId: number, caseIds: number[]): void {
  const model = ctx.db
    .prepare('SELECT id, name, version FROM model_versions WHERE id = ?')
    .get(modelVersionId) as { id: number; name: string; version: string } | undefined;
  if (!model) throw new ApiError('bad_request', `assistedModelVersionId: no model version ${modelVersionId}`);
  const has = ctx.db.prepare('SELECT 1 FROM predictions WHERE model_version_id = ? AND case_id = ?');
  const missing = caseIds.filter((id) => has.get(modelVersionId, id) === undefined).length;
  if (missing > 0) {
    throw new ApiError(
      'bad_request',
      `assistedModelVersionId: ${model.name} ${model.version} has no predictions for ${missing} of the ${caseIds.length} cases; run it over the dataset first`,
    );
  }
}

const SHORTCUTS = '123456789qwertyuiop';

export function createStudy(ctx: StudyContext, request: CreateStudy): StudyDetail {
  const { db } = ctx;
  const now = ctx.now();
  const dataset = db.prepare('SELECT id FROM datasets WHERE id = ?').get(request.datasetId);
  if (!dataset) throw new ApiError('bad_request', `datasetId: no dataset ${request.datasetId}`);
  const categories = datasetCategories(db, request.datasetId);
  if (categories.length === 0)
    throw new ApiError('bad_request', `dataset ${request.datasetId} declares no categories`);
  const caseIds = selectCases(ctx, request);
  if (request.assistedModelVersionId !== null)
    checkAssistedModel(ctx, request.assistedModelVersionId, caseIds);
  const selection = {
    split: request.split,
    sample: request.sample,
    one_per_patient: request.onePerPatient,
    case_count: caseIds.length,
  };
  const studyId = db.transaction(() => {
    const { lastInsertRowid } = db
      .prepare(
        `INSERT INTO studies (name, instructions, dataset_id, status, task_diagnosis, task_marking, ask_probabilities,
           show_age, show_sex, show_site, time_limit_s, allow_back, assisted_model_version_id, selection, order_seed,
           created_at, opened_at)
         VALUES (?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        request.name.trim(),
        request.instructions,
        request.datasetId,
        +request.tasks.diagnosis,
        +request.tasks.marking,
        +(request.tasks.diagnosis && request.tasks.probabilities),
        +request.show.age,
        +request.show.sex,
        +request.show.site,
        request.timeLimitS,
        +request.allowPrevious,
        request.assistedModelVersionId,
        JSON.stringify(selection),
        request.orderSeed,
        now.toISOString(),
        now.toISOString(),
      );
    const id = Number(lastInsertRowid);
    const addCategory = db.prepare(
      'INSERT INTO study_categories (study_id, category_id, position, shortcut) VALUES (?, ?, ?, ?)',
    );
    categories.forEach((c, i) => addCategory.run(id, c.id, i, SHORTCUTS[i] ?? null));
    const addCase = db.prepare('INSERT INTO study_cases (study_id, case_id) VALUES (?, ?)');
    for (const caseId of caseIds) addCase.run(id, caseId);
    audit(db, now, 'coordinator', 'study.create', 'study', id, { selection, order_seed: request.orderSeed });
    insertReaders(ctx, id, request.orderSeed, request.readerIds, now);
    return id;
  })();
  return studyDetail(ctx, studyId);
}

function insertReaders(
  ctx: StudyContext,
  studyId: number,
  studySeed: number,
  readerIds: number[],
  now: Date,
): void {
  const { db } = ctx;
  const studyCaseIds = db
    .prepare('SELECT id FROM study_cases WHERE study_id = ? ORDER BY id')
    .pluck()
    .all(studyId) as number[];
  // enrolled readers -> their withdrawal time (null while active)
  const enrolled = new Map(
    (
      db
        .prepare('SELECT reader_id AS id, withdrawn_at AS withdrawnAt FROM study_readers WHERE study_id = ?')
        .all(studyId) as { id: number; withdrawnAt: string | null }[]
    ).map((r) => [r.id, r.withdrawnAt]),
  );
  const addReader = db.prepare(
    'INSERT INTO study_readers (study_id, reader_id, order_seed, added_at) VALUES (?, ?, ?, ?)',
  );
  const addOrder = db.prepare(
    'INSERT INTO study_case_order (study_id, reader_id, position, study_case_id) VALUES (?, ?, ?, ?)',
  );
  for (const readerId of [...new Set(readerIds)]) {
    if (enrolled.get(readerId))
      throw new ApiError(
        'conflict',
        `reader ${readerId} was withdrawn from study ${studyId} and cannot rejoin it`,
      );
    if (enrolled.has(readerId)) continue;
    readerInfo(ctx, readerId);
    const seed = readerOrderSeed(studySeed, readerId);
    addReader.run(studyId, readerId, seed, now.toISOString());
    shuffled(studyCaseIds, seed).forEach((studyCaseId, position) =>
      addOrder.run(studyId, readerId, position, studyCaseId),
    );
    audit(db, now, 'coordinator', 'study.add_reader', 'study', studyId, {
      reader_id: readerId,
      order_seed: seed,
    });
  }
}

export function addReaders(ctx: StudyContext, studyId: number, readerIds: number[]): StudyDetail {
  const study = requireStudy(ctx, studyId);
  if (study.status === 'closed') throw new ApiError('conflict', `study ${studyId} is closed`);
  ctx.db.transaction(() => insertReaders(ctx, studyId, study.order_seed, readerIds, ctx.now()))();
  return studyDetail(ctx, studyId);
}

/**
 * Withdraws a reader from an open study (a dropout, a protocol deviation): they can no longer open it, their
 * committed readings stay stored and flagged in the readings CSV, and the statistics leave them out. Final for
 * this study; the reason is recorded with the audit entry.
 */
export function withdrawReader(
  ctx: StudyContext,
  studyId: number,
  readerId: number,
  reason: string,
): StudyDetail {
  const study = requireStudy(ctx, studyId);
  if (study.status === 'closed') throw new ApiError('conflict', `study ${studyId} is closed`);
  const enrolment = ctx.db
    .prepare('SELECT withdrawn_at FROM study_readers WHERE study_id = ? AND reader_id = ?')
    .get(studyId, readerId) as { withdrawn_at: string | null } | undefined;
  if (!enrolment) throw new ApiError('not_found', `reader ${readerId} is not in study ${studyId}`);
  if (enrolment.withdrawn_at)
    throw new ApiError('conflict', `reader ${readerId} was already withdrawn from study ${studyId}`);
  const now = ctx.now();
  ctx.db.transaction(() => {
    ctx.db
      .prepare(
        'UPDATE study_readers SET withdrawn_at = ?, withdrawal_reason = ? WHERE study_id = ? AND reader_id = ?',
      )
      .run(now.toISOString(), reason, studyId, readerId);
    audit(ctx.db, now, 'coordinator', 'study.withdraw_reader', 'study', studyId, {
      reader_id: readerId,
      reason,
    });
  })();
  return studyDetail(ctx, studyId);
}

function readingStarted({ db }: StudyContext, studyId: number): boolean {
  return db.prepare('SELECT 1 FROM readings WHERE study_id = ? LIMIT 1').get(studyId) !== undefined;
}

/** Changes the settings that may still change (see `updateStudy` in the contract's schemas); audited with
 * each field's old and new value. */
export function updateStudy(ctx: StudyContext, request: UpdateStudy): StudyDetail {
  const { studyId } = request;
  const study = requireStudy(ctx, studyId);
  if (study.status === 'closed') throw new ApiError('conflict', `study ${studyId} is closed`);
  const columns: Record<string, [string, unknown, unknown]> = {};
  const set = (field: string, column: string, from: unknown, to: unknown) => {
    if (to !== undefined && to !== from) columns[field] = [column, from, to];
  };
  set('name', 'name', study.name, request.name?.trim());
  set('instructions', 'instructions', study.instructions, request.instructions);
  set('timeLimitS', 'time_limit_s', study.time_limit_s, request.timeLimitS);
  set('allowPrevious', 'allow_back', !!study.allow_back, request.allowPrevious);
  for (const key of ['age', 'sex', 'site'] as const)
    set(`show.${key}`, `show_${key}`, !!study[`show_${key}`], request.show?.[key]);
  const conditions = Object.keys(columns).filter((f) => f !== 'name' && f !== 'instructions');
  if (conditions.length > 0 && readingStarted(ctx, studyId))
    throw new ApiError(
      'conflict',
      `study ${studyId}: ${conditions.join(', ')} cannot change once readers have been shown cases ` +
        '(they would have read under different conditions); create a new study instead',
    );
  if (Object.keys(columns).length === 0) return studyDetail(ctx, studyId);
  const now = ctx.now();
  ctx.db.transaction(() => {
    for (const [column, , to] of Object.values(columns))
      ctx.db
        .prepare(`UPDATE studies SET ${column} = ? WHERE id = ?`)
        .run(typeof to === 'boolean' ? +to : to, studyId);
    const changes = Object.fromEntries(
      Object.entries(columns).map(([field, [, from, to]]) => [field, { from, to }]),
    );
    audit(ctx.db, now, 'coordinator', 'study.update', 'study', studyId, { changes });
  })();
  return studyDetail(ctx, studyId);
}

/** Closes and locks a study: no reading can be saved or committed afterwards. */
export function closeStudy(ctx: StudyContext, studyId: number): StudyDetail {
  const study = requireStudy(ctx, studyId);
  if (study.status === 'closed') throw new ApiError('conflict', `study ${studyId} is already closed`);
  const now = ctx.now();
  ctx.db.transaction(() => {
    ctx.db
      .prepare("UPDATE studies SET status = 'closed', closed_at = ? WHERE id = ?")
      .run(now.toISOString(), studyId);
    audit(ctx.db, now, 'coordinator', 'study.close', 'study', studyId, {});
  })();
  return studyDetail(ctx, studyId);
}

function readersProgress(ctx: StudyContext, study: StudyRow): ReaderProgress[] {
  const readers = ctx.db
    .prepare(
      `SELECT r.id, r.name, sr.withdrawn_at AS withdrawnAt, sr.withdrawal_reason AS withdrawalReason
       FROM study_readers sr JOIN readers r ON r.id = sr.reader_id WHERE sr.study_id = ? ORDER BY r.id`,
    )
    .all(study.id) as {
    id: number;
    name: string;
    withdrawnAt: string | null;
    withdrawalReason: string | null;
  }[];
  const assisted = study.assisted_model_version_id !== null;
  return readers.map((r) => {
    const progress = readerProgress(ctx.db, study.id, r.id, assisted);
    const times = progress.positions
      .map((p) => p.unaided)
      .filter((u) => u?.committed_at && u.elapsed_ms !== null)
      .map((u) => u!.elapsed_ms!);
    return {
      readerId: r.id,
      name: r.name,
      total: progress.positions.length,
      completed: progress.completed,
      current: progress.current,
      finished: progress.positions.length > 0 && progress.current === progress.positions.length,
      lastActivityAt: progress.lastActivityAt,
      medianReadingTimeS: medianSeconds(times),
      withdrawnAt: r.withdrawnAt,
      withdrawalReason: r.withdrawalReason,
    };
  });
}

function summary(ctx: StudyContext, study: StudyRow, allReaders: ReaderProgress[]): StudySummary {
  const readers = allReaders.filter((r) => r.withdrawnAt === null);
  return {
    id: study.id,
    name: study.name,
    status: study.status === 'closed' ? 'closed' : 'open',
    createdAt: study.created_at,
    closedAt: study.closed_at,
    caseCount: ctx.db
      .prepare('SELECT count(*) FROM study_cases WHERE study_id = ?')
      .pluck()
      .get(study.id) as number,
    readerCount: readers.length,
    completedReadings: readers.reduce((n, r) => n + r.completed, 0),
    totalReadings: readers.reduce((n, r) => n + r.total, 0),
  };
}

export function listStudies(ctx: StudyContext): StudySummary[] {
  const rows = ctx.db.prepare('SELECT * FROM studies ORDER BY id DESC').all() as StudyRow[];
  return rows.map((study) => summary(ctx, study, readersProgress(ctx, study)));
}

export function studyDetail(ctx: StudyContext, studyId: number): StudyDetail {
  const study = requireStudy(ctx, studyId);
  const readers = readersProgress(ctx, study);
  const selection = JSON.parse(study.selection) as {
    split: string | null;
    sample: StudyDetail['settings']['sample'];
    one_per_patient?: boolean;
  };
  const datasetName = ctx.db
    .prepare('SELECT name FROM datasets WHERE id = ?')
    .pluck()
    .get(study.dataset_id) as string;
  const categoryCounts = Object.fromEntries(
    (
      ctx.db
        .prepare(
          `SELECT cat.name, count(*) AS n FROM study_cases sc JOIN case_labels l ON l.case_id = sc.case_id
           JOIN categories cat ON cat.id = l.category_id WHERE sc.study_id = ? GROUP BY cat.name ORDER BY cat.name`,
        )
        .all(studyId) as { name: string; n: number }[]
    ).map((r) => [r.name, r.n]),
  );
  return {
    ...summary(ctx, study, readers),
    instructions: study.instructions,
    readingStarted: readingStarted(ctx, study.id),
    settings: {
      datasetId: study.dataset_id,
      datasetName,
      split: selection.split,
      sample: selection.sample,
      onePerPatient: selection.one_per_patient ?? false,
      tasks: {
        diagnosis: !!study.task_diagnosis,
        probabilities: !!study.ask_probabilities,
        marking: !!study.task_marking,
      },
      show: { age: !!study.show_age, sex: !!study.show_sex, site: !!study.show_site },
      timeLimitS: study.time_limit_s,
      allowPrevious: !!study.allow_back,
      assistedModelVersionId: study.assisted_model_version_id,
      orderSeed: study.order_seed,
    },
    categoryCounts,
    readers,
  };
}
