// For engineers: add a model version, check its validation and manifest, run it over a dataset with a
// progress bar, and compare versions' metrics on the same cases.
import { useEffect, useState, type FormEvent } from 'react';
import type { ModelComparison, ModelVersionDetail } from '../../../../main/contract/index.ts';
import { call, errorMessage } from '../../api/client.ts';
import { Progress } from '../../ui/Progress.tsx';
import { useApi } from '../../ui/useApi.ts';
import { useJob } from '../../ui/useJob.ts';

const fmt = (v: number | null) => (v === null || v < 0 ? '—' : v.toFixed(3));

export function ModelsPage() {
  const { data: models, error, reload } = useApi('models.list', {});
  const { data: datasets } = useApi('catalog.datasets', {});
  const [path, setPath] = useState('');
  const [selected, setSelected] = useState<ModelVersionDetail | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [runDataset, setRunDataset] = useState<number | null>(null);
  const [job, setJob] = useJob();
  const [compareDataset, setCompareDataset] = useState<number | null>(null);
  const [compareIds, setCompareIds] = useState<number[]>([]);
  const [comparison, setComparison] = useState<ModelComparison | null>(null);

  useEffect(() => {
    if (datasets?.length) {
      setRunDataset((d) => d ?? datasets[0].id);
      setCompareDataset((d) => d ?? datasets[0].id);
    }
  }, [datasets]);

  useEffect(() => {
    if (job && job.state !== 'running' && selected) void open(selected.id);
  }, [job?.state]);

  const open = async (id: number) => {
    setFailure(null);
    try {
      setSelected(await call('models.get', { modelVersionId: id }));
    } catch (e) {
      setFailure(errorMessage(e));
    }
  };

  const add = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      const added = await call('models.add', { path });
      setSelected(added);
      setPath('');
      reload();
    } catch (e) {
      setFailure(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const setStatus = async (status: 'active' | 'retired') => {
    if (!selected) return;
    try {
      setSelected(await call('models.setStatus', { modelVersionId: selected.id, status }));
      reload();
    } catch (e) {
      setFailure(errorMessage(e));
    }
  };

  const run = async () => {
    if (!selected || runDataset === null) return;
    try {
      setJob(await call('models.run', { modelVersionId: selected.id, datasetId: runDataset }));
    } catch (e) {
      setFailure(errorMessage(e));
    }
  };

  const compare = async () => {
    if (compareDataset === null) return;
    try {
      setComparison(await call('models.compare', { datasetId: compareDataset, modelVersionIds: compareIds }));
    } catch (e) {
      setFailure(errorMessage(e));
    }
  };

  const metricNames = comparison ? [...new Set(comparison.rows.flatMap((r) => Object.keys(r.metrics)))] : [];

  return (
    <section className="page">
      <h1>Models</h1>
      <form className="card row" onSubmit={add}>
        <label className="field grow">
          <span>Add a model version: folder or .zip with model.onnx and manifest.json</span>
          <input
            name="modelPath"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            placeholder="/path/to/models/classifier"
          />
        </label>
        <button className="btn primary" type="submit" disabled={!path.trim() || busy}>
          {busy ? 'Validating…' : 'Add version'}
        </button>
      </form>
      {(failure || error) && (
        <p className="error" role="alert">
          {failure ?? error}
        </p>
      )}

      <div className="grid-2">
        <div className="card">
          <h2>Versions</h2>
          {models?.length === 0 && <p className="muted">No model registered yet.</p>}
          <table className="table">
            <thead>
              <tr>
                <th />
                <th>Model</th>
                <th>Task</th>
                <th>Status</th>
                <th>Added</th>
              </tr>
            </thead>
            <tbody>
              {models?.map((m) => (
                <tr
                  key={m.id}
                  className={selected?.id === m.id ? 'clickable selected' : 'clickable'}
                  onClick={() => void open(m.id)}
                >
                  <td onClick={(e) => e.stopPropagation()}>
                    <input
                      type="checkbox"
                      aria-label={`compare ${m.name} ${m.version}`}
                      checked={compareIds.includes(m.id)}
                      onChange={(e) =>
                        setCompareIds((ids) =>
                          e.target.checked ? [...ids, m.id] : ids.filter((x) => x !== m.id),
                        )
                      }
                    />
                  </td>
                  <td>
                    {m.name} <span className="muted">{m.version}</span>
                  </td>
                  <td>{m.task}</td>
                  <td>
                    <span className={`badge ${m.status}`}>{m.status}</span>
                  </td>
                  <td>{new Date(m.addedAt).toLocaleDateString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>

        <div className="card">
          {!selected ? (
            <p className="muted">Choose a version to see its validation and manifest.</p>
          ) : (
            <>
              <h2>
                {selected.name} {selected.version}
              </h2>
              <p className={selected.validation.ok ? 'ok' : 'error'}>
                {selected.validation.ok ? '✓ Valid: ' : '✗ Invalid: '}
                {selected.validation.messages.join('; ')}
              </p>
              <p className="muted">
                Status: <span className={`badge ${selected.status}`}>{selected.status}</span> · Labels:{' '}
                {selected.labels.join(', ')}
              </p>
              {selected.status !== 'retired' && (
                <div className="row">
                  {selected.status !== 'active' && (
                    <button className="btn secondary small" onClick={() => void setStatus('active')}>
                      Make active
                    </button>
                  )}
                  <button className="btn ghost small" onClick={() => void setStatus('retired')}>
                    Retire
                  </button>
                </div>
              )}
              <p className="muted">
                Predictions:{' '}
                {selected.predictionCounts.map((p) => `${p.datasetName} ${p.cases} cases`).join(' · ') ||
                  'none yet'}
              </p>
              <div className="row">
                <label className="field">
                  <span>Run over dataset</span>
                  <select value={runDataset ?? ''} onChange={(e) => setRunDataset(Number(e.target.value))}>
                    {datasets?.map((d) => (
                      <option key={d.id} value={d.id}>
                        {d.name} ({d.caseCount})
                      </option>
                    ))}
                  </select>
                </label>
                <button
                  className="btn primary"
                  disabled={job?.state === 'running' || !selected.validation.ok}
                  onClick={() => void run()}
                >
                  Run
                </button>
                {job?.state === 'running' && (
                  <button
                    className="btn ghost"
                    onClick={() => void call('jobs.cancel', { jobId: job.jobId }).then(setJob)}
                  >
                    Cancel
                  </button>
                )}
              </div>
              {job && (
                <div className="job">
                  <Progress
                    value={job.done}
                    total={job.total}
                    label={`${job.state}: ${job.done} / ${job.total}`}
                  />
                  {job.message && <p className="error">{job.message}</p>}
                </div>
              )}
              <details>
                <summary>Manifest</summary>
                <pre className="manifest">{JSON.stringify(selected.manifest, null, 2)}</pre>
              </details>
            </>
          )}
        </div>
      </div>

      <div className="card">
        <h2>Compare versions</h2>
        <p className="muted">
          Tick versions in the list, then compare their metrics on the cases of a dataset that every one of
          them has predicted.
        </p>
        <div className="row">
          <label className="field">
            <span>Compare ticked versions on</span>
            <select value={compareDataset ?? ''} onChange={(e) => setCompareDataset(Number(e.target.value))}>
              {datasets?.map((d) => (
                <option key={d.id} value={d.id}>
                  {d.name}
                </option>
              ))}
            </select>
          </label>
          <button className="btn secondary" disabled={compareIds.length === 0} onClick={() => void compare()}>
            Compare
          </button>
        </div>
        {comparison && (
          <div className="table-scroll">
            <table className="table compact">
              <caption>
                {comparison.caseCount} cases
                {comparison.patientCount !== null ? ` of ${comparison.patientCount} patients` : ''} predicted
                by every version
              </caption>
              <thead>
                <tr>
                  <th>Version</th>
                  {metricNames.map((n) => (
                    <th key={n} className="num">
                      {n}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {comparison.rows.map((r) => (
                  <tr key={r.modelVersionId}>
                    <td>{r.label}</td>
                    {metricNames.map((n) => (
                      <td key={n} className="num" data-metric={n}>
                        {fmt(r.metrics[n] ?? null)}
                        {r.intervals[n] && (
                          <div className="muted small nowrap">
                            {r.intervals[n].map((x) => x.toFixed(3)).join('–')}
                          </div>
                        )}
                        {r.vsFirst[n] && (
                          <div className="muted small nowrap">
                            Δ {r.vsFirst[n].difference >= 0 ? '+' : ''}
                            {r.vsFirst[n].difference.toFixed(3)}, p {r.vsFirst[n].p.toPrecision(2)}
                          </div>
                        )}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="muted small">
              Per-category AUC with its 95% interval and, from the second version on, the paired difference
              from the first (DeLong{comparison.patientCount !== null ? ', clustered by patient' : ''}).
            </p>
          </div>
        )}
      </div>
    </section>
  );
}
