import { useState } from 'react';
import { call, errorMessage } from '../../api/client.ts';
import { Check } from '../../ui/Check.tsx';
import { Progress } from '../../ui/Progress.tsx';
import { useApi } from '../../ui/useApi.ts';
import { EditStudy } from './EditStudy.tsx';

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '—');

export function StudyPage({ studyId }: { studyId: number }) {
  const { data: study, error, setData, reload } = useApi('studies.get', { studyId }, 3000);
  const { data: readers } = useApi('readers.list', {});
  const [adding, setAdding] = useState<number[]>([]);
  const [failure, setFailure] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);

  if (error && !study) return <p className="error page">{error}</p>;
  if (!study) return <p className="muted page">Loading…</p>;
  const s = study.settings;
  const enrolled = new Set(study.readers.map((r) => r.readerId));
  const others = readers?.filter((r) => !enrolled.has(r.id)) ?? [];

  const close = async () => {
    if (
      !window.confirm(
        `Close "${study.name}"? Readers can no longer save or commit answers. This cannot be undone.`,
      )
    )
      return;
    try {
      setData(await call('studies.close', { studyId }));
    } catch (e) {
      setFailure(errorMessage(e));
    }
  };

  const withdraw = async (readerId: number, name: string) => {
    const reason = window.prompt(
      `Withdraw ${name} from "${study.name}"? They can no longer read it and cannot rejoin; their committed ` +
        'readings stay stored but leave the statistics. Reason (recorded in the audit log):',
    );
    if (!reason?.trim()) return;
    try {
      setData(await call('studies.withdrawReader', { studyId, readerId, reason: reason.trim() }));
    } catch (e) {
      setFailure(errorMessage(e));
    }
  };

  const addReaders = async () => {
    try {
      setData(await call('studies.addReaders', { studyId, readerIds: adding }));
      setAdding([]);
    } catch (e) {
      setFailure(errorMessage(e));
    }
  };

  return (
    <section className="page">
      <div className="page-head">
        <div>
          <p className="crumbs">
            <a href="#/studies">Studies</a> /
          </p>
          <h1>
            {study.name} <span className={`badge ${study.status}`}>{study.status}</span>
          </h1>
        </div>
        <div className="row">
          <a className="btn secondary" href={`#/studies/${studyId}/report`}>
            Statistics
          </a>
          {study.status === 'open' && (
            <button className="btn danger" onClick={() => void close()}>
              Close and lock
            </button>
          )}
        </div>
      </div>
      {(failure || error) && <p className="error">{failure ?? error}</p>}

      <div className="grid-2">
        <div className="card">
          <h2>Progress per reader</h2>
          {study.readers.length === 0 ? (
            <p className="muted">No readers yet.</p>
          ) : (
            <table className="table" data-testid="reader-progress">
              <thead>
                <tr>
                  <th>Reader</th>
                  <th>Committed</th>
                  <th className="num">Median time</th>
                  <th>Last activity</th>
                  {study.status === 'open' && <th />}
                </tr>
              </thead>
              <tbody>
                {study.readers.map((r) => (
                  <tr
                    key={r.readerId}
                    data-reader={r.name}
                    className={r.withdrawnAt ? 'withdrawn' : undefined}
                  >
                    <td>{r.name}</td>
                    <td>
                      {r.withdrawnAt ? (
                        <span className="muted" title={r.withdrawalReason ?? ''}>
                          withdrawn {when(r.withdrawnAt)} ({r.completed} readings left out):{' '}
                          {r.withdrawalReason}
                        </span>
                      ) : (
                        <Progress
                          value={r.completed}
                          total={r.total}
                          label={`${r.completed} / ${r.total}${r.finished ? ' ✓' : ''}`}
                        />
                      )}
                    </td>
                    <td className="num">
                      {r.medianReadingTimeS === null ? '—' : `${r.medianReadingTimeS} s`}
                    </td>
                    <td>{when(r.lastActivityAt)}</td>
                    {study.status === 'open' && (
                      <td>
                        {!r.withdrawnAt && (
                          <button
                            className="btn ghost small"
                            onClick={() => void withdraw(r.readerId, r.name)}
                          >
                            Withdraw
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {study.status === 'open' && others.length > 0 && (
            <div className="add-readers">
              <p className="field-label">Add readers</p>
              <div className="reader-picks">
                {others.map((r) => (
                  <Check
                    key={r.id}
                    checked={adding.includes(r.id)}
                    onChange={(on) =>
                      setAdding((ids) => (on ? [...ids, r.id] : ids.filter((x) => x !== r.id)))
                    }
                  >
                    {r.name}
                  </Check>
                ))}
              </div>
              <button
                className="btn secondary small"
                disabled={adding.length === 0}
                onClick={() => void addReaders()}
              >
                Add to study
              </button>
            </div>
          )}
          <button className="btn ghost small" onClick={reload}>
            Refresh
          </button>
        </div>

        <div className="card">
          <div className="row spread">
            <h2>Design</h2>
            {study.status === 'open' && !editing && (
              <button className="btn ghost small" onClick={() => setEditing(true)}>
                Edit settings
              </button>
            )}
          </div>
          {editing && (
            <EditStudy
              study={study}
              onSaved={(updated) => {
                setData(updated);
                setEditing(false);
              }}
              onCancel={() => setEditing(false)}
            />
          )}
          <dl className="facts">
            <dt>Cases</dt>
            <dd>
              {study.caseCount} from {s.datasetName}
              {s.split ? ` (${s.split} split)` : ''} —{' '}
              {s.sample.kind === 'all'
                ? 'all cases'
                : `stratified sample of ${s.sample.n}, seed ${s.sample.seed}`}
              {s.onePerPatient ? ', one case per patient' : ''}
            </dd>
            <dt>By ground truth</dt>
            <dd>
              {Object.entries(study.categoryCounts)
                .map(([k, v]) => `${k} ${v}`)
                .join(' · ') || '—'}
            </dd>
            <dt>Tasks</dt>
            <dd>
              {[
                s.tasks.diagnosis && 'diagnosis + confidence',
                s.tasks.probabilities && 'probabilities',
                s.tasks.marking && 'lesion boxes',
              ]
                .filter(Boolean)
                .join(', ')}
            </dd>
            <dt>Readers see</dt>
            <dd>
              {(['age', 'sex', 'site'] as const).filter((k) => s.show[k]).join(', ') || 'the image only'}
            </dd>
            <dt>Time limit</dt>
            <dd>{s.timeLimitS ? `${s.timeLimitS} s per case` : 'none (time is recorded)'}</dd>
            <dt>Going back</dt>
            <dd>{s.allowPrevious ? 'allowed, read-only' : 'not allowed'}</dd>
            <dt>AI-assisted read</dt>
            <dd>
              {s.assistedModelVersionId
                ? `model version ${s.assistedModelVersionId}, after the unaided answer`
                : 'no'}
            </dd>
            {study.instructions && (
              <>
                <dt>Instructions</dt>
                <dd>{study.instructions}</dd>
              </>
            )}
            <dt>Case order</dt>
            <dd>randomised per reader, study seed {s.orderSeed} (each reader's seed recorded)</dd>
            <dt>Created</dt>
            <dd>{when(study.createdAt)}</dd>
            {study.closedAt && (
              <>
                <dt>Closed</dt>
                <dd>{when(study.closedAt)}</dd>
              </>
            )}
          </dl>
        </div>
      </div>
    </section>
  );
}
