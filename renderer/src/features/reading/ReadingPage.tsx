// The reading view: one case at a time, every change saved at once, the committed answer final. The server
// decides what the reader may see; this page only shows it.
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from '../../../../main/contract/index.ts';
import { call, errorMessage } from '../../api/client.ts';
import { navigate } from '../../app/router.ts';
import { Progress } from '../../ui/Progress.tsx';
import { AnswerPanel } from './AnswerPanel.tsx';
import { ImageViewer } from './ImageViewer.tsx';
import { imageUrl } from './image-cache.ts';
import { Timer } from './Timer.tsx';
import { emptyAnswer, missingParts, type Answer, type ReadingView } from './types.ts';

// the server ends a visit after 30 s without a sign of life (main/core/studies/reading-time.ts)
const HEARTBEAT_MS = 10_000;
const RETRY_MS = 3_000;

const isTransient = (error: unknown) => !(error instanceof ApiError) || error.code === 'internal';

type SaveState =
  { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved'; at: string } | { kind: 'error'; message: string };

export function ReadingPage({ studyId }: { studyId: number }) {
  const [view, setView] = useState<ReadingView | null>(null);
  const [answer, setAnswer] = useState<Answer>(emptyAnswer);
  const [src, setSrc] = useState<string | null>(null);
  const [saveState, setSaveState] = useState<SaveState>({ kind: 'idle' });
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // the category new boxes get: the one the reader picked for boxes, else their diagnosis, else the first
  const [boxCategory, setBoxCategory] = useState<string | null>(null);
  // a detector reports many low-scoring boxes (for mAP); the reader sees those above a score they choose
  const [aiMinScore, setAiMinScore] = useState(0.5);
  const transitionStart = useRef<number | null>(null);
  const [nextCaseMs, setNextCaseMs] = useState<number | null>(null);
  const pending = useRef<{ answer: Answer; view: ReadingView } | null>(null);
  const saving = useRef<Promise<void> | null>(null);

  const show = useCallback((next: ReadingView) => {
    setView(next);
    const phaseAnswer =
      next.phase === 'assisted'
        ? (next.assisted ?? next.unaided)
        : next.phase === 'unaided'
          ? next.unaided
          : (next.assisted ?? next.unaided);
    setAnswer(phaseAnswer ? structuredClone(phaseAnswer) : emptyAnswer());
    setSaveState({ kind: 'idle' });
    setError(null);
    if (next.image) {
      const key = next.image.imageKey;
      imageUrl(next.studyId, key).then(setSrc, (e) => setError(errorMessage(e)));
    } else {
      setSrc(null);
    }
    if (next.nextImageKey) void imageUrl(next.studyId, next.nextImageKey).catch(() => undefined);
  }, []);

  useEffect(() => {
    call('reading.open', { studyId }).then(show, (e) => setError(errorMessage(e)));
  }, [studyId, show]);

  // a sign of life while the case is on screen: time on a case stops counting when the page is gone
  useEffect(() => {
    if (!view?.phase) return;
    const { studyId: id, position, phase } = view;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible')
        void call('reading.touch', { studyId: id, position, phase }).catch(() => undefined);
    }, HEARTBEAT_MS);
    return () => clearInterval(timer);
  }, [view]);

  // one save in flight at a time; the latest answer always wins
  const flush = useCallback(async (): Promise<void> => {
    while (saving.current) await saving.current;
    const job = pending.current;
    if (!job || !job.view.phase) return;
    pending.current = null;
    setSaveState({ kind: 'saving' });
    saving.current = call('reading.saveDraft', {
      studyId: job.view.studyId,
      position: job.view.position,
      phase: job.view.phase,
      answer: job.answer,
    }).then(
      (r) => setSaveState({ kind: 'saved', at: r.savedAt }),
      (e) => {
        setSaveState({ kind: 'error', message: errorMessage(e) });
        // the server is unreachable or restarting: keep the answer and try again (a refusal is final)
        if (isTransient(e)) {
          pending.current ??= job;
          setTimeout(() => void flushRef.current().catch(() => undefined), RETRY_MS);
        }
        throw e;
      },
    );
    try {
      await saving.current;
    } finally {
      saving.current = null;
    }
    if (pending.current) await flush();
  }, []);
  const flushRef = useRef(flush);

  const change = useCallback(
    (next: Answer) => {
      if (!view?.phase || view.navigation.readOnly) return;
      setAnswer(next);
      pending.current = { answer: next, view };
      void flush().catch(() => undefined);
    },
    [view, flush],
  );

  const commit = useCallback(
    async (auto = false) => {
      if (!view?.phase || busy) return;
      if (!auto && missingParts(view, answer).length > 0) return;
      setBusy(true);
      try {
        await flush();
        transitionStart.current = performance.now();
        show(
          await call('reading.commit', { studyId: view.studyId, position: view.position, phase: view.phase }),
        );
      } catch (e) {
        setError(errorMessage(e));
      } finally {
        setBusy(false);
      }
    },
    [view, answer, busy, flush, show],
  );

  const go = useCallback(
    async (position: number) => {
      if (!view) return;
      try {
        await flush();
        transitionStart.current = performance.now();
        show(await call('reading.case', { studyId: view.studyId, position }));
      } catch (e) {
        setError(errorMessage(e));
      }
    },
    [view, flush, show],
  );

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!view || (event.target as HTMLElement).closest('input, textarea, select')) return;
      if (event.key === 'Enter' && view.phase) {
        event.preventDefault();
        void commit();
      } else if (event.key === 'ArrowLeft' && view.navigation.canPrevious) {
        void go(view.position - 1);
      } else if (event.key === 'ArrowRight' && view.navigation.canNext) {
        void go(view.position + 1);
      } else if (view.phase && view.tasks.diagnosis && !event.ctrlKey && !event.metaKey && !event.altKey) {
        const category = view.categories.find((c) => c.shortcut && c.shortcut === event.key.toLowerCase());
        if (category) change({ ...answer, category: category.code });
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [view, answer, commit, go, change]);

  const onImageShown = useCallback(() => {
    if (transitionStart.current !== null) {
      setNextCaseMs(Math.round(performance.now() - transitionStart.current));
      transitionStart.current = null;
    }
  }, []);

  if (error && !view) return <p className="error page">{error}</p>;
  if (!view) return <p className="muted page">Loading…</p>;

  if (view.finished && view.position >= view.total) {
    return (
      <section className="page narrow done-panel">
        <h1>{view.studyName}</h1>
        <div className="card">
          <h2>Study complete</h2>
          <p>All {view.total} cases are read and committed. Thank you.</p>
          <div className="row">
            {view.navigation.canPrevious && (
              <button className="btn secondary" onClick={() => void go(view.total - 1)}>
                Review my answers
              </button>
            )}
            <button className="btn primary" onClick={() => navigate('')}>
              Back to my studies
            </button>
          </div>
        </div>
      </section>
    );
  }

  const missing = view.phase ? missingParts(view, answer) : [];
  const newBoxCategory = boxCategory ?? answer.category ?? view.categories[0]?.code ?? '';
  return (
    <div className="reading" data-position={view.position} data-next-case-ms={nextCaseMs ?? ''}>
      <div className="reading-image">
        {view.image && (
          <ImageViewer
            src={src}
            width={view.image.width}
            height={view.image.height}
            boxes={answer.boxes}
            editable={!!view.phase}
            marking={view.tasks.marking}
            categories={view.categories}
            newBoxCategory={newBoxCategory}
            modelBoxes={view.modelOutput?.boxes.filter((b) => b.score >= aiMinScore) ?? null}
            onBoxesChange={(boxes) => change({ ...answer, boxes })}
            onImageShown={onImageShown}
          />
        )}
      </div>
      <aside className="reading-panel">
        <div className="panel-head">
          <div className="case-counter">
            <span className="case-label" data-testid="case-counter">
              Case {view.position + 1} of {view.total}
            </span>
            <Timer key={`${view.position}:${view.phase}`} view={view} onExpired={() => void commit(true)} />
          </div>
          <Progress value={view.completed} total={view.total} />
          {(view.metadata.age !== undefined ||
            view.metadata.sex !== undefined ||
            view.metadata.site !== undefined) && (
            <dl className="metadata">
              {view.metadata.age !== undefined && (
                <>
                  <dt>Age</dt>
                  <dd>{view.metadata.age ?? '—'}</dd>
                </>
              )}
              {view.metadata.sex !== undefined && (
                <>
                  <dt>Sex</dt>
                  <dd>{view.metadata.sex ?? '—'}</dd>
                </>
              )}
              {view.metadata.site !== undefined && (
                <>
                  <dt>Site</dt>
                  <dd>{view.metadata.site ?? '—'}</dd>
                </>
              )}
            </dl>
          )}
        </div>
        {view.phase === 'assisted' && (
          <p className="notice">
            Your unaided answer is committed
            {view.unaided?.category
              ? ` (${view.categories.find((c) => c.code === view.unaided!.category)?.name ?? view.unaided.category}, confidence ${view.unaided.confidence ?? '—'})`
              : ''}
            . This is the AI-assisted second read: review the model's output and commit your answer again,
            changed or not.
          </p>
        )}
        {!view.phase && (
          <p className="notice neutral">This answer is committed and can no longer be changed.</p>
        )}
        <AnswerPanel
          view={view}
          answer={answer}
          editable={!!view.phase}
          onChange={change}
          newBoxCategory={newBoxCategory}
          onNewBoxCategory={setBoxCategory}
          aiMinScore={aiMinScore}
          onAiMinScore={setAiMinScore}
        />
        <div className="panel-foot">
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <SaveIndicator state={saveState} />
          {view.phase && missing.length > 0 && <p className="hint">To continue: {missing.join(', ')}.</p>}
          <div className="nav-buttons">
            <button
              className="btn secondary"
              disabled={!view.navigation.canPrevious}
              onClick={() => void go(view.position - 1)}
              title="Previous case (←)"
            >
              ← Previous
            </button>
            {view.phase ? (
              <button
                className="btn primary large grow"
                disabled={busy || missing.length > 0}
                onClick={() => void commit()}
                title="Commit (Enter)"
              >
                {view.phase === 'unaided' && view.assistedStudy
                  ? 'Commit and see AI'
                  : view.position + 1 === view.total
                    ? 'Commit and finish'
                    : 'Commit and next'}
              </button>
            ) : (
              <button
                className="btn primary grow"
                disabled={!view.navigation.canNext && view.position + 1 < view.total}
                onClick={() => void go(view.position + 1 < view.total ? view.position + 1 : view.total)}
                title="Next case (→)"
              >
                {view.position + 1 >= view.total ? 'Done' : 'Next →'}
              </button>
            )}
          </div>
        </div>
      </aside>
    </div>
  );
}

function SaveIndicator({ state }: { state: SaveState }) {
  if (state.kind === 'idle') return <p className="save-state muted">Changes are saved as you go.</p>;
  if (state.kind === 'saving') return <p className="save-state muted">Saving…</p>;
  if (state.kind === 'error') return <p className="save-state error">Not saved: {state.message}</p>;
  return (
    <p className="save-state saved" data-testid="saved">
      Saved {new Date(state.at).toLocaleTimeString()}
    </p>
  );
}
