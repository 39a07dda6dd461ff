// The reader's side of a study. Everything a reader receives is built here from the reader's own rows only:
// the case image and the metadata the study allows, the reader's own answers, and the model's output only in
// the assisted phase, after the unaided answer is committed. Ground truth is never read by this module.
import type { z } from 'zod';
import { ApiError, type BinaryBody, type ResponseOf, schemas } from '../../contract/index.ts';
import { audit } from './access.ts';
import { studyRow, type StudyContext, type StudyRow } from './context.ts';
import { readerProgress, type PositionState, type ReaderProgressState, type ReadingRow } from './progress.ts';
import { readerImage } from './reader-image.ts';
import { deadlineOf, elapsedMs, touchReading } from './reading-time.ts';

type Answer = z.output<typeof schemas.answer>;
type Phase = z.output<typeof schemas.phase>;
type ReadingView = ResponseOf<'reading.open'>;

// a draft arriving this long after the time limit (network, a slow disk) is still accepted
const DEADLINE_GRACE_MS = 2000;
// the page commits when its clock says the time is up; its clock may run this far ahead of the server's
const CLOCK_TOLERANCE_MS = 500;

interface StudyCategory {
  id: number;
  code: string;
  name: string;
  description: string;
  shortcut: string;
}

function studyForReader(ctx: StudyContext, studyId: number, readerId: number): StudyRow {
  const study = studyRow(ctx.db, studyId);
  const enrolled = ctx.db
    .prepare('SELECT 1 FROM study_readers WHERE study_id = ? AND reader_id = ? AND withdrawn_at IS NULL')
    .get(studyId, readerId);
  // the same answer whether the study does not exist or belongs to others: a reader learns nothing of other studies
  if (!study || !enrolled || study.status === 'draft')
    throw new ApiError('not_found', `no study ${studyId} for this reader`);
  return study;
}

function studyCategories(ctx: StudyContext, studyId: number): StudyCategory[] {
  return ctx.db
    .prepare(
      `SELECT c.id, c.name AS code, c.title AS name, c.description, coalesce(sc.shortcut, '') AS shortcut
       FROM study_categories sc JOIN categories c ON c.id = sc.category_id WHERE sc.study_id = ? ORDER BY sc.position`,
    )
    .all(studyId) as StudyCategory[];
}

const isAssisted = (study: StudyRow) => study.assisted_model_version_id !== null;

export function readerStudies(ctx: StudyContext, readerId: number): ResponseOf<'reading.studies'> {
  const studies = ctx.db
    .prepare(
      `SELECT s.* FROM study_readers sr JOIN studies s ON s.id = sr.study_id
       WHERE sr.reader_id = ? AND sr.withdrawn_at IS NULL AND s.status != 'draft' ORDER BY s.id DESC`,
    )
    .all(readerId) as StudyRow[];
  return studies.map((study) => {
    const progress = readerProgress(ctx.db, study.id, readerId, isAssisted(study));
    return {
      studyId: study.id,
      name: study.name,
      instructions: study.instructions,
      status: study.status === 'closed' ? 'closed' : 'open',
      tasks: {
        diagnosis: !!study.task_diagnosis,
        probabilities: !!study.ask_probabilities,
        marking: !!study.task_marking,
      },
      assisted: isAssisted(study),
      timeLimitS: study.time_limit_s,
      total: progress.positions.length,
      completed: progress.completed,
      finished: progress.current === progress.positions.length,
    };
  });
}

function currentPhase(state: PositionState, study: StudyRow): Phase | null {
  if (!state.unaided?.committed_at) return 'unaided';
  if (isAssisted(study) && !state.assisted?.committed_at) return 'assisted';
  return null;
}

function answerOf(ctx: StudyContext, reading: ReadingRow | null, categories: StudyCategory[]): Answer | null {
  if (!reading) return null;
  const codeOf = new Map(categories.map((c) => [c.id, c.code]));
  const probabilities = ctx.db
    .prepare('SELECT category_id AS categoryId, probability FROM reading_probabilities WHERE reading_id = ?')
    .all(reading.id) as { categoryId: number; probability: number }[];
  const boxes = ctx.db
    .prepare(
      'SELECT category_id AS categoryId, x, y, w, h FROM reading_boxes WHERE reading_id = ? ORDER BY id',
    )
    .all(reading.id) as { categoryId: number; x: number; y: number; w: number; h: number }[];
  return {
    category: reading.category_id === null ? null : (codeOf.get(reading.category_id) ?? null),
    confidence: reading.confidence,
    probabilities:
      probabilities.length === 0
        ? null
        : Object.fromEntries(
            probabilities.map((p) => [
              codeOf.get(p.categoryId) ?? String(p.categoryId),
              Math.round(p.probability * 1000) / 10,
            ]),
          ),
    boxes: boxes.map((b) => ({
      xMin: b.x,
      yMin: b.y,
      xMax: b.x + b.w,
      yMax: b.y + b.h,
      category: codeOf.get(b.categoryId) ?? '',
    })),
  };
}

function modelOutput(ctx: StudyContext, study: StudyRow, caseId: number): ReadingView['modelOutput'] {
  const modelId = study.assisted_model_version_id!;
  const model = ctx.db.prepare('SELECT name, version FROM model_versions WHERE id = ?').get(modelId) as {
    name: string;
    version: string;
  };
  const probabilities = ctx.db
    .prepare(
      `SELECT c.name AS code, p.probability FROM prediction_scores p JOIN categories c ON c.id = p.category_id
       JOIN study_categories sc ON sc.category_id = p.category_id AND sc.study_id = ?
       WHERE p.model_version_id = ? AND p.case_id = ? ORDER BY p.probability DESC`,
    )
    .all(study.id, modelId, caseId) as { code: string; probability: number }[];
  const boxes = ctx.db
    .prepare(
      `SELECT c.name AS category, b.score, b.x, b.y, b.w, b.h FROM prediction_boxes b JOIN categories c ON c.id = b.category_id
       WHERE b.model_version_id = ? AND b.case_id = ? ORDER BY b.score DESC`,
    )
    .all(modelId, caseId) as {
    category: string;
    score: number;
    x: number;
    y: number;
    w: number;
    h: number;
  }[];
  return {
    modelName: `${model.name} ${model.version}`,
    probabilities,
    boxes: boxes.map((b) => ({
      xMin: b.x,
      yMin: b.y,
      xMax: b.x + b.w,
      yMax: b.y + b.h,
      category: b.category,
      score: b.score,
    })),
  };
}

function metadataFor(ctx: StudyContext, study: StudyRow, caseId: number): ReadingView['metadata'] {
  const row = ctx.db
    .prepare(
      'SELECT c.metadata, p.age, p.sex FROM cases c LEFT JOIN patients p ON p.id = c.patient_id WHERE c.id = ?',
    )
    .get(caseId) as { metadata: string; age: number | null; sex: string | null };
  const meta = JSON.parse(row.metadata) as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' && v !== '' && v !== 'unknown' ? v : null);
  const metadata: ReadingView['metadata'] = {};
  if (study.show_age) metadata.age = row.age ?? (typeof meta.age === 'number' ? meta.age : null);
  if (study.show_sex) metadata.sex = text(row.sex) ?? text(meta.sex);
  if (study.show_site) metadata.site = text(meta.site) ?? text(meta.localization) ?? text(meta.body_site);
  return metadata;
}

/**
 * Records that the reader is shown this phase of the case: the first time, the reading is created (the
 * assisted answer as a copy of the committed unaided one, so "unchanged" is one commit away); later, it counts
 * as a sign of the reader on the case (reading-time.ts).
 */
function markShown(
  ctx: StudyContext,
  studyId: number,
  readerId: number,
  state: PositionState,
  phase: Phase,
): void {
  const now = ctx.now().toISOString();
  const { changes, lastInsertRowid } = ctx.db
    .prepare(
      `INSERT INTO readings (study_id, reader_id, study_case_id, phase, shown_at, updated_at, visit_started_at, last_seen_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (study_id, reader_id, study_case_id, phase) DO NOTHING`,
    )
    .run(studyId, readerId, state.studyCaseId, phase, now, now, now, now);
  if (changes === 0) {
    const existing = phase === 'unaided' ? state.unaided : state.assisted;
    if (existing) touchReading(ctx.db, existing.id, ctx.now());
    return;
  }
  if (phase !== 'assisted' || !state.unaided) return;
  const from = state.unaided.id;
  const to = Number(lastInsertRowid);
  ctx.db
    .prepare('UPDATE readings SET category_id = ?, confidence = ? WHERE id = ?')
    .run(state.unaided.category_id, state.unaided.confidence, to);
  ctx.db
    .prepare(
      'INSERT INTO reading_probabilities (reading_id, category_id, probability) SELECT ?, category_id, probability FROM reading_probabilities WHERE reading_id = ?',
    )
    .run(to, from);
  ctx.db
    .prepare(
      'INSERT INTO reading_boxes (reading_id, category_id, x, y, w, h, created_at, updated_at) SELECT ?, category_id, x, y, w, h, ?, ? FROM reading_boxes WHERE reading_id = ?',
    )
    .run(to, now, now, from);
}

function buildView(ctx: StudyContext, study: StudyRow, readerId: number, position: number): ReadingView {
  let progress = readerProgress(ctx.db, study.id, readerId, isAssisted(study));
  const total = progress.positions.length;
  if (position > progress.current || position > total) {
    throw new ApiError(
      'forbidden',
      `case ${position + 1} is not reachable yet; the next case to read is ${progress.current + 1}`,
    );
  }
  if (position < progress.current && position < total && !study.allow_back) {
    throw new ApiError('forbidden', 'this study does not allow going back to earlier cases');
  }
  const open = study.status === 'open';
  const finished = progress.current === total;
  const categories = studyCategories(ctx, study.id);
  const base = {
    studyId: study.id,
    studyName: study.name,
    status: open ? ('open' as const) : ('closed' as const),
    total,
    tasks: {
      diagnosis: !!study.task_diagnosis,
      probabilities: !!study.ask_probabilities,
      marking: !!study.task_marking,
    },
    assistedStudy: isAssisted(study),
    categories: categories.map(({ code, name, description, shortcut }) => ({
      code,
      name,
      description,
      shortcut,
    })),
  };
  if (position === total) {
    // past the last case: the reader has finished (or the study has no cases)
    return {
      ...base,
      position,
      completed: progress.completed,
      current: progress.current,
      finished: true,
      image: null,
      metadata: {},
      phase: null,
      unaided: null,
      assisted: null,
      committed: { unaided: false, assisted: false },
      modelOutput: null,
      timing: {
        shownAt: null,
        elapsedBeforeMs: 0,
        visitStartedAt: null,
        deadline: null,
        serverNow: ctx.now().toISOString(),
        timeLimitS: study.time_limit_s,
      },
      navigation: { canPrevious: total > 0 && !!study.allow_back, canNext: false, readOnly: true },
      nextImageKey: null,
    };
  }
  let state = progress.positions[position];
  const phase = position === progress.current && open ? currentPhase(state, study) : null;
  if (phase) {
    ctx.db.transaction(() => markShown(ctx, study.id, readerId, state, phase))();
    progress = readerProgress(ctx.db, study.id, readerId, isAssisted(study));
    state = progress.positions[position];
  }
  const image = ctx.db.prepare('SELECT width, height FROM cases WHERE id = ?').get(state.caseId) as {
    width: number;
    height: number;
  };
  const unaidedCommitted = state.unaided?.committed_at != null;
  const activeReading = phase === 'assisted' ? state.assisted : phase === 'unaided' ? state.unaided : null;
  const readOnly = phase === null;
  const nextReachable = position + 1 < total && position + 1 <= progress.current;
  return {
    ...base,
    position,
    completed: progress.completed,
    current: progress.current,
    finished,
    image: { width: image.width, height: image.height, imageKey: String(position) },
    metadata: metadataFor(ctx, study, state.caseId),
    phase,
    unaided: answerOf(ctx, state.unaided, categories),
    assisted: answerOf(ctx, state.assisted, categories),
    committed: { unaided: unaidedCommitted, assisted: state.assisted?.committed_at != null },
    modelOutput: isAssisted(study) && unaidedCommitted ? modelOutput(ctx, study, state.caseId) : null,
    timing: {
      shownAt: activeReading?.shown_at ?? null,
      elapsedBeforeMs: activeReading?.active_ms_before ?? 0,
      visitStartedAt: activeReading?.visit_started_at ?? null,
      deadline: deadlineOf(activeReading, study.time_limit_s),
      serverNow: ctx.now().toISOString(),
      timeLimitS: study.time_limit_s,
    },
    navigation: { canPrevious: position > 0 && !!study.allow_back, canNext: nextReachable, readOnly },
    nextImageKey: position + 1 < total ? String(position + 1) : null,
  };
}

/** Opens a study where the reader stands: the first case not yet fully committed, or the end when finished. */
export function openReading(ctx: StudyContext, readerId: number, studyId: number): ReadingView {
  const study = studyForReader(ctx, studyId, readerId);
  return buildView(
    ctx,
    study,
    readerId,
    readerProgress(ctx.db, studyId, readerId, isAssisted(study)).current,
  );
}

export function viewCase(
  ctx: StudyContext,
  readerId: number,
  studyId: number,
  position: number,
): ReadingView {
  return buildView(ctx, studyForReader(ctx, studyId, readerId), readerId, position);
}

/** The reading the reader may change now: this position must be their current one, in this phase, still open. */
function editableReading(
  ctx: StudyContext,
  study: StudyRow,
  readerId: number,
  position: number,
  phase: Phase,
): { progress: ReaderProgressState; reading: ReadingRow; state: PositionState } {
  if (study.status !== 'open')
    throw new ApiError('conflict', 'the study is closed; answers can no longer be changed');
  const progress = readerProgress(ctx.db, study.id, readerId, isAssisted(study));
  if (position !== progress.current) {
    throw new ApiError(
      'conflict',
      `case ${position + 1} is not the case being read (that is case ${progress.current + 1}); committed answers are final`,
    );
  }
  const state = progress.positions[position];
  const expected = currentPhase(state, study);
  if (phase !== expected)
    throw new ApiError('conflict', `this case is in its ${expected} phase, not ${phase}`);
  const reading = phase === 'unaided' ? state.unaided : state.assisted;
  if (!reading) throw new ApiError('conflict', `case ${position + 1} has not been shown yet`);
  return { progress, reading, state };
}

function checkAnswer(
  study: StudyRow,
  answer: Answer,
  categories: StudyCategory[],
  size: { width: number; height: number },
): void {
  const known = new Set(categories.map((c) => c.code));
  if (answer.category !== null && !known.has(answer.category))
    throw new ApiError('bad_request', `answer.category: unknown category "${answer.category}"`);
  if (!study.task_diagnosis && (answer.category !== null || answer.confidence !== null)) {
    throw new ApiError('bad_request', 'answer.category: this study does not ask for a diagnosis');
  }
  if (answer.probabilities) {
    if (!study.ask_probabilities)
      throw new ApiError('bad_request', 'answer.probabilities: this study does not ask for probabilities');
    for (const code of Object.keys(answer.probabilities)) {
      if (!known.has(code))
        throw new ApiError('bad_request', `answer.probabilities: unknown category "${code}"`);
    }
  }
  if (!study.task_marking && answer.boxes.length > 0)
    throw new ApiError('bad_request', 'answer.boxes: this study does not ask for lesion marking');
  answer.boxes.forEach((b, i) => {
    if (!known.has(b.category))
      throw new ApiError('bad_request', `answer.boxes[${i}].category: unknown category "${b.category}"`);
    if (!(
      b.xMin >= 0 &&
      b.yMin >= 0 &&
      b.xMax <= size.width &&
      b.yMax <= size.height &&
      b.xMax > b.xMin &&
      b.yMax > b.yMin
    )) {
      throw new ApiError(
        'bad_request',
        `answer.boxes[${i}]: not a box inside the ${size.width}x${size.height} image`,
      );
    }
  });
}

function missingParts(study: StudyRow, answer: Answer | null): string[] {
  const missing: string[] = [];
  if (study.task_diagnosis) {
    if (!answer?.category) missing.push('a diagnosis');
    if (answer?.confidence == null) missing.push('a confidence');
    if (study.ask_probabilities) {
      const sum = Object.values(answer?.probabilities ?? {}).reduce((a, b) => a + b, 0);
      if (Math.abs(sum - 100) > 0.5)
        missing.push(`probabilities summing to 100 % (now ${Math.round(sum * 10) / 10} %)`);
    }
  }
  return missing;
}

/** The editable reading after a sign of the reader on it now (reading-time.ts). */
function touched<T extends { reading: ReadingRow }>(ctx: StudyContext, editable: T, now: Date): T {
  touchReading(ctx.db, editable.reading.id, now);
  const reading = ctx.db
    .prepare('SELECT * FROM readings WHERE id = ?')
    .get(editable.reading.id) as ReadingRow;
  return { ...editable, reading };
}

/** The reading page's heartbeat while the case is on screen; returns the time on the case so far. */
export function touchCase(
  ctx: StudyContext,
  readerId: number,
  request: { studyId: number; position: number; phase: Phase },
): ResponseOf<'reading.touch'> {
  const study = studyForReader(ctx, request.studyId, readerId);
  const now = ctx.now();
  return ctx.db.transaction(() => {
    const { reading } = touched(
      ctx,
      editableReading(ctx, study, readerId, request.position, request.phase),
      now,
    );
    return { elapsedMs: elapsedMs(reading, now) };
  })();
}

/** Saves the reader's answer as it stands (every change); the first save records the time of first input. */
export function saveDraft(
  ctx: StudyContext,
  readerId: number,
  request: { studyId: number; position: number; phase: Phase; answer: Answer },
): ResponseOf<'reading.saveDraft'> {
  const { db } = ctx;
  const study = studyForReader(ctx, request.studyId, readerId);
  const now = ctx.now();
  return db.transaction(() => {
    const { reading, state } = touched(
      ctx,
      editableReading(ctx, study, readerId, request.position, request.phase),
      now,
    );
    if (
      study.time_limit_s !== null &&
      elapsedMs(reading, now) > study.time_limit_s * 1000 + DEADLINE_GRACE_MS
    ) {
      throw new ApiError('conflict', 'the time for this case is up; commit to go on');
    }
    const categories = studyCategories(ctx, study.id);
    const size = db.prepare('SELECT width, height FROM cases WHERE id = ?').get(state.caseId) as {
      width: number;
      height: number;
    };
    checkAnswer(study, request.answer, categories, size);
    const idOf = new Map(categories.map((c) => [c.code, c.id]));
    const at = now.toISOString();
    db.prepare(
      `UPDATE readings SET category_id = ?, confidence = ?, first_input_at = coalesce(first_input_at, ?), updated_at = ?
       WHERE id = ? AND committed_at IS NULL`,
    ).run(
      request.answer.category === null ? null : idOf.get(request.answer.category),
      request.answer.confidence,
      at,
      at,
      reading.id,
    );
    db.prepare('DELETE FROM reading_probabilities WHERE reading_id = ?').run(reading.id);
    const addProbability = db.prepare(
      'INSERT INTO reading_probabilities (reading_id, category_id, probability) VALUES (?, ?, ?)',
    );
    for (const [code, percent] of Object.entries(request.answer.probabilities ?? {}))
      addProbability.run(reading.id, idOf.get(code), percent / 100);
    db.prepare('DELETE FROM reading_boxes WHERE reading_id = ?').run(reading.id);
    const addBox = db.prepare(
      'INSERT INTO reading_boxes (reading_id, category_id, x, y, w, h, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    for (const b of request.answer.boxes)
      addBox.run(reading.id, idOf.get(b.category), b.xMin, b.yMin, b.xMax - b.xMin, b.yMax - b.yMin, at, at);
    return { savedAt: at, firstInputAt: reading.first_input_at ?? at };
  })();
}

/**
 * Commits the saved answer of the current phase in one transaction with its timestamps; a committed answer is
 * final. Past the time limit the answer as saved is committed and marked timed out, even if incomplete.
 */
export function commitReading(
  ctx: StudyContext,
  readerId: number,
  request: { studyId: number; position: number; phase: Phase },
): ReadingView {
  const { db } = ctx;
  const study = studyForReader(ctx, request.studyId, readerId);
  const now = ctx.now();
  const nextPosition = db.transaction(() => {
    const { reading, progress } = touched(
      ctx,
      editableReading(ctx, study, readerId, request.position, request.phase),
      now,
    );
    const elapsed = elapsedMs(reading, now);
    const timedOut = study.time_limit_s !== null && elapsed >= study.time_limit_s * 1000 - CLOCK_TOLERANCE_MS;
    const categories = studyCategories(ctx, study.id);
    const missing = missingParts(study, answerOf(ctx, reading, categories));
    if (missing.length > 0 && !timedOut)
      throw new ApiError('bad_request', `the answer still needs ${missing.join(', ')}`);
    const at = now.toISOString();
    const changed = db
      .prepare(
        'UPDATE readings SET committed_at = ?, elapsed_ms = ?, timed_out = ?, updated_at = ? WHERE id = ? AND committed_at IS NULL',
      )
      .run(at, elapsed, +timedOut, at, reading.id).changes;
    if (changed !== 1) throw new ApiError('conflict', 'this answer was already committed');
    audit(db, now, `reader:${readerId}`, 'reading.commit', 'reading', reading.id, {
      phase: request.phase,
      timed_out: timedOut,
    });
    const after = readerProgress(db, study.id, readerId, isAssisted(study));
    if (after.current === after.positions.length && progress.current !== after.current) {
      db.prepare('UPDATE study_readers SET finished_at = ? WHERE study_id = ? AND reader_id = ?').run(
        at,
        study.id,
        readerId,
      );
    }
    return after.current;
  })();
  return buildView(ctx, study, readerId, nextPosition);
}

/** The image of a case the reader has reached, or the next one (prefetch); nothing beyond. */
export async function caseImage(
  ctx: StudyContext,
  readerId: number,
  studyId: number,
  imageKey: string,
): Promise<BinaryBody> {
  const study = studyForReader(ctx, studyId, readerId);
  const position = /^\d+$/.test(imageKey) ? Number(imageKey) : -1;
  const progress = readerProgress(ctx.db, study.id, readerId, isAssisted(study));
  if (position < 0 || position >= progress.positions.length || position > progress.current + 1) {
    throw new ApiError('forbidden', `image ${imageKey} is not available to this reader`);
  }
  const image = ctx.db
    .prepare(
      'SELECT i.sha256, i.extension FROM cases c JOIN images i ON i.sha256 = c.image_sha256 WHERE c.id = ?',
    )
    .get(progress.positions[position].caseId) as { sha256: string; extension: string };
  return readerImage(ctx.imagePath(image.sha256, image.extension), image.extension);
}
