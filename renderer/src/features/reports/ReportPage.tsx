// The study's statistics dashboard: renders the statistics engine's report object as it is — ROC per
// category (model curve, readers as operating points), AUC table with DeLong CIs and p-values, the MRMC
// summary, detection AP and FROC, confusion matrices and reading times. A study the report took no
// classification statistics from (one category, or readers who only marked lesions) shows the report's reason
// in their place, and only the sections it has.
import { useState } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { StudyReport } from '../../../../main/contract/index.ts';
import { call, errorMessage } from '../../api/client.ts';
import { useApi } from '../../ui/useApi.ts';

const f3 = (v: number | null | undefined) =>
  v === null || v === undefined || Number.isNaN(v) ? '—' : v.toFixed(3);
const pv = (p: number | null | undefined) =>
  p === null || p === undefined ? '—' : p < 0.001 ? '<0.001' : p.toFixed(3);
// A reader is one scorer per phase: the id alone repeats.
const keyOf = (s: { id: string; phase: string | null }) => `${s.id} ${s.phase ?? ''}`;
const PALETTE = ['#1d5fa7', '#c2410c', '#15803d', '#7c3aed', '#b91c1c', '#0e7490', '#a16207', '#be185d'];

export function ReportPage({ studyId }: { studyId: number }) {
  const { data: report, error } = useApi('studies.report', { studyId });
  const { data: study } = useApi('studies.get', { studyId });
  const [exportError, setExportError] = useState<string | null>(null);
  return (
    <section className="page report">
      <div className="page-head">
        <div>
          <p className="crumbs">
            <a href="#/studies">Studies</a> / <a href={`#/studies/${studyId}`}>{study?.name ?? '…'}</a> /
          </p>
          <h1>Statistics</h1>
        </div>
        {report && (
          <div className="row no-print">
            {EXPORTS.filter(({ format }) => format !== 'imrmc' || !report.classification.skipped).map(
              ({ format, label, file }) => (
                <button
                  key={format}
                  className="btn secondary small"
                  onClick={() => void exportAs(studyId, format, file, setExportError)}
                >
                  {label}
                </button>
              ),
            )}
            <button className="btn secondary small" onClick={() => window.print()}>
              Print
            </button>
          </div>
        )}
      </div>
      {(error || exportError) && <p className="error">{error ?? exportError}</p>}
      {!error && report === null && (
        <p className="muted">
          No committed reading yet: the report appears once readers have committed answers.
        </p>
      )}
      {report && <ReportBody report={report} />}
    </section>
  );
}

const EXPORTS = [
  { format: 'json', label: 'JSON', file: 'report.json' },
  { format: 'csv', label: 'CSV tables', file: 'report-csv.zip' },
  { format: 'html', label: 'Printable HTML', file: 'report.html' },
  { format: 'imrmc', label: 'iMRMC input', file: 'imrmc.zip' },
  { format: 'readings', label: 'Readings CSV', file: 'readings.csv' },
] as const;

async function exportAs(
  studyId: number,
  format: (typeof EXPORTS)[number]['format'],
  file: string,
  onError: (message: string) => void,
) {
  try {
    const { mime, bytes } = await call('studies.export', { studyId, format });
    const url = URL.createObjectURL(new Blob([bytes as BlobPart], { type: mime }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `study-${studyId}-${file}`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  } catch (e) {
    onError(errorMessage(e));
  }
}

function ReportBody({ report }: { report: StudyReport }) {
  const [category, setCategory] = useState(report.classification.perCategory[0]?.category ?? '');
  const result = report.classification.perCategory.find((c) => c.category === category);
  return (
    <>
      <p className="muted">
        {report.counts.cases} cases · {report.counts.readers} readers · {report.counts.readings} committed
        readings · reference model: {report.referenceModel ?? 'none'} · {Math.round(report.level * 100)} %
        confidence intervals · generated {new Date(report.generatedAt).toLocaleString()}
      </p>
      {report.caseIndependence && (
        <p className="notice" data-testid="case-independence">
          {report.caseIndependence}.
        </p>
      )}
      {report.withdrawnReaders.length > 0 && (
        <p className="muted" data-testid="withdrawn-readers">
          Withdrawn readers, left out of every statistic:{' '}
          {report.withdrawnReaders.map((w) => `${w.name} (${w.readings} readings; ${w.reason})`).join('; ')}
        </p>
      )}

      {report.classification.perCategory.length > 0 && (
        <div className="card">
          <div className="row spread">
            <h2>ROC by category</h2>
            <label className="field inline">
              <span>Category</span>
              <select value={category} onChange={(e) => setCategory(e.target.value)}>
                {report.classification.perCategory.map((c) => (
                  <option key={c.category} value={c.category}>
                    {c.category} ({c.positives}+ / {c.negatives}−)
                  </option>
                ))}
              </select>
            </label>
          </div>
          {result && <RocChart result={result} />}
          {result && <AucTable result={result} />}
        </div>
      )}

      {report.classification.skipped && (
        <div className="card" aria-label="Classification skipped">
          <h2>Classification and MRMC</h2>
          <p className="muted">Not computed: {report.classification.skipped}.</p>
        </div>
      )}

      {report.classification.summary.length > 0 && (
        <div className="card">
          <h2>Summary per scorer</h2>
          <table className="table compact">
            <thead>
              <tr>
                <th>Scorer</th>
                <th>Phase</th>
                <th className="num">Cases</th>
                <th className="num">Macro AUC</th>
                <th className="num">Accuracy</th>
                <th className="num">Balanced acc.</th>
                <th className="num">Cohen κ</th>
              </tr>
            </thead>
            <tbody>
              {report.classification.summary.map((s) => (
                <tr key={keyOf(s.scorer)}>
                  <td>{s.scorer.name}</td>
                  <td>{s.scorer.phase ?? '—'}</td>
                  <td className="num">{s.cases}</td>
                  <td className="num">{f3(s.macroAuc)}</td>
                  <td className="num">{f3(s.accuracy)}</td>
                  <td className="num">{f3(s.balancedAccuracy)}</td>
                  <td className="num">{f3(s.kappa)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {report.classification.fleiss.map((f) => (
            <p key={f.phase} className="muted">
              Fleiss' κ among readers ({f.phase}): {f3(f.kappa)} on {f.subjects} cases
            </p>
          ))}
        </div>
      )}

      {!report.mrmc.skipped && <MrmcCard report={report} />}
      {report.detection && report.detection.scorers.length > 0 && (
        <DetectionCard detection={report.detection} />
      )}
      {report.classification.skipped && !report.detection && (
        <p className="muted">No lesion detection results: the cases have no ground-truth boxes.</p>
      )}
      <ConfusionCard report={report} />

      {report.readingTime.length > 0 && (
        <div className="card">
          <h2>Reading time</h2>
          <table className="table compact">
            <thead>
              <tr>
                <th>Reader</th>
                <th>Phase</th>
                <th className="num">Cases</th>
                <th className="num">Median (s)</th>
                <th className="num">Mean (s)</th>
                <th className="num">Total (min)</th>
              </tr>
            </thead>
            <tbody>
              {report.readingTime.map((t) => (
                <tr key={keyOf(t.scorer)}>
                  <td>{t.scorer.name}</td>
                  <td>{t.scorer.phase ?? '—'}</td>
                  <td className="num">{t.cases}</td>
                  <td className="num">{(t.medianMs / 1000).toFixed(1)}</td>
                  <td className="num">{(t.meanMs / 1000).toFixed(1)}</td>
                  <td className="num">{(t.totalMs / 60000).toFixed(1)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

type CategoryResult = StudyReport['classification']['perCategory'][number];

function RocChart({ result }: { result: CategoryResult }) {
  const curves = result.scorers.filter((s) => s.curve && s.curve.length > 0);
  const points = result.scorers
    .filter((s) => s.scorer.kind === 'reader' && s.operatingPoint)
    .map((s) => ({
      x: 1 - s.operatingPoint!.specificity,
      y: s.operatingPoint!.sensitivity,
      name: `${s.scorer.name}${s.scorer.phase ? ` (${s.scorer.phase})` : ''}`,
    }));
  return (
    <div className="chart">
      <ResponsiveContainer width="100%" height={360}>
        <LineChart margin={{ top: 10, right: 20, bottom: 30, left: 10 }}>
          <CartesianGrid stroke="#e5e7eb" />
          <XAxis
            type="number"
            dataKey="x"
            domain={[0, 1]}
            label={{ value: '1 − specificity', position: 'insideBottom', offset: -15 }}
          />
          <YAxis
            type="number"
            dataKey="y"
            domain={[0, 1]}
            label={{ value: 'Sensitivity', angle: -90, position: 'insideLeft' }}
          />
          <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))} />
          <Legend verticalAlign="top" />
          <Line
            data={[
              { x: 0, y: 0 },
              { x: 1, y: 1 },
            ]}
            dataKey="y"
            stroke="#9ca3af"
            strokeDasharray="4 4"
            dot={false}
            name="chance"
            isAnimationActive={false}
          />
          {curves.map((s, i) => (
            <Line
              key={keyOf(s.scorer)}
              data={s.curve!.map((p) => ({ x: p.fpr, y: p.tpr }))}
              dataKey="y"
              stroke={PALETTE[i % PALETTE.length]}
              strokeWidth={2}
              dot={false}
              name={`${s.scorer.name} (AUC ${f3(s.auc?.auc)})`}
              isAnimationActive={false}
            />
          ))}
          {points.map((p, i) => (
            <Line
              key={p.name}
              data={[p]}
              dataKey="y"
              stroke={PALETTE[(i + curves.length) % PALETTE.length]}
              legendType="circle"
              dot={{
                r: 6,
                fill: PALETTE[(i + curves.length) % PALETTE.length],
                stroke: '#fff',
                strokeWidth: 1.5,
              }}
              name={p.name}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

function AucTable({ result }: { result: CategoryResult }) {
  return (
    <table className="table compact">
      <thead>
        <tr>
          <th>Scorer</th>
          <th className="num">Cases</th>
          <th className="num">AUC</th>
          <th className="num">95 % CI</th>
          <th className="num">Δ vs model</th>
          <th className="num">p (DeLong)</th>
          <th className="num">Sens.</th>
          <th className="num">Spec.</th>
        </tr>
      </thead>
      <tbody>
        {result.scorers.map((s) => (
          <tr key={keyOf(s.scorer)}>
            <td>
              {s.scorer.name}
              {s.scorer.phase ? <span className="muted"> · {s.scorer.phase}</span> : null}
            </td>
            <td className="num">{s.cases}</td>
            <td className="num">{s.auc ? f3(s.auc.auc) : <span title={s.note}>—</span>}</td>
            <td className="num">{s.auc ? `${f3(s.auc.ci[0])}–${f3(s.auc.ci[1])}` : '—'}</td>
            <td className="num">{s.vsModel ? f3(s.vsModel.difference) : '—'}</td>
            <td className="num">{s.vsModel ? pv(s.vsModel.p) : '—'}</td>
            <td className="num">{f3(s.operatingPoint?.sensitivity)}</td>
            <td className="num">{f3(s.operatingPoint?.specificity)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function MrmcCard({ report }: { report: StudyReport }) {
  const { mrmc } = report;
  return (
    <div className="card">
      <h2>Multi-reader multi-case analysis</h2>
      <p className="muted">
        Obuchowski–Rockette, Hillis degrees of freedom, {mrmc.covariance} covariance; random readers and
        random cases.
      </p>
      {mrmc.readersVsModel.map((block) => (
        <table key={block.phase} className="table compact">
          <caption>
            Readers ({block.phase}) against {block.model} as a fixed reference
          </caption>
          <thead>
            <tr>
              <th>Category</th>
              <th className="num">Cases</th>
              <th className="num">Readers' mean AUC</th>
              <th className="num">Model AUC</th>
              <th className="num">Difference</th>
              <th className="num">95 % CI</th>
              <th className="num">p</th>
            </tr>
          </thead>
          <tbody>
            {block.categories.map((c) =>
              'skipped' in c.result ? (
                <SkippedRow
                  key={c.category}
                  category={c.category}
                  cases={c.cases}
                  reason={c.result.skipped}
                />
              ) : (
                <tr key={c.category}>
                  <td>{c.category}</td>
                  <td className="num">{c.cases}</td>
                  <td className="num">{f3(c.result.readerMean)}</td>
                  <td className="num">{f3(c.result.referenceAuc)}</td>
                  <td className="num">{f3(c.result.difference)}</td>
                  <td className="num">
                    {f3(c.result.randomReadersRandomCases.ci[0])}–
                    {f3(c.result.randomReadersRandomCases.ci[1])}
                  </td>
                  <td className="num">{pv(c.result.randomReadersRandomCases.p)}</td>
                </tr>
              ),
            )}
          </tbody>
        </table>
      ))}
      {mrmc.unaidedVsAssisted && (
        <table className="table compact">
          <caption>Unaided versus AI-assisted reads</caption>
          <thead>
            <tr>
              <th>Category</th>
              <th className="num">Cases</th>
              <th className="num">Mean AUC unaided</th>
              <th className="num">Mean AUC assisted</th>
              <th className="num">F</th>
              <th className="num">df</th>
              <th className="num">p</th>
            </tr>
          </thead>
          <tbody>
            {mrmc.unaidedVsAssisted.map((c) =>
              'skipped' in c.result ? (
                <SkippedRow
                  key={c.category}
                  category={c.category}
                  cases={c.cases}
                  reason={c.result.skipped}
                />
              ) : (
                <tr key={c.category}>
                  <td>{c.category}</td>
                  <td className="num">{c.cases}</td>
                  <td className="num">{f3(c.result.treatmentMeans[0])}</td>
                  <td className="num">{f3(c.result.treatmentMeans[1])}</td>
                  <td className="num">{f3(c.result.randomReadersRandomCases.test?.f)}</td>
                  <td className="num">{f3(c.result.randomReadersRandomCases.test?.df2)}</td>
                  <td className="num">{pv(c.result.randomReadersRandomCases.test?.p)}</td>
                </tr>
              ),
            )}
          </tbody>
        </table>
      )}
    </div>
  );
}

/** A row of an MRMC table (seven columns) for a category whose comparison was not computed. */
function SkippedRow({ category, cases, reason }: { category: string; cases: number; reason: string }) {
  return (
    <tr>
      <td>{category}</td>
      <td className="num">{cases}</td>
      <td colSpan={5} className="muted">
        {reason}
      </td>
    </tr>
  );
}

function DetectionCard({ detection }: { detection: NonNullable<StudyReport['detection']> }) {
  const withPoints = detection.scorers.filter((s) => s.froc.points.length > 0);
  // As the printable report: the x axis ends at the first of 1/8, 1/4, ... 8 non-lesion marks per image that
  // holds every curve (a detector's low-score tail would squeeze the readers' points against the axis).
  const widest = Math.max(0, ...withPoints.map((s) => s.froc.points.at(-1)!.nlf));
  const xMax = [0.125, 0.25, 0.5, 1, 2, 4, 8].find((x) => x >= widest) ?? 8;
  return (
    <div className="card">
      <h2>Lesion detection</h2>
      <p className="muted">
        COCO AP (IoU .50:.95, 101-point interpolation) and FROC; a reader's boxes are scored by the reading's
        confidence / 100 (1 when the study asked for none).
      </p>
      <table className="table compact">
        <thead>
          <tr>
            <th>Scorer</th>
            <th className="num">Images</th>
            <th className="num">AP</th>
            <th className="num">AP50</th>
            <th className="num">AP75</th>
            <th className="num">AR100</th>
            <th className="num">FROC mean sens.</th>
          </tr>
        </thead>
        <tbody>
          {detection.scorers.map((s) => (
            <tr key={keyOf(s.scorer)}>
              <td>
                {s.scorer.name}
                {s.scorer.phase ? <span className="muted"> · {s.scorer.phase}</span> : null}
              </td>
              <td className="num">{s.images}</td>
              <td className="num">{f3(s.coco.summary.AP)}</td>
              <td className="num">{f3(s.coco.summary.AP50)}</td>
              <td className="num">{f3(s.coco.summary.AP75)}</td>
              <td className="num">{f3(s.coco.summary.AR100)}</td>
              <td className="num">{f3(s.froc.meanSensitivity)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {withPoints.length > 0 && (
        <div className="chart">
          <ResponsiveContainer width="100%" height={300}>
            <LineChart margin={{ top: 10, right: 20, bottom: 30, left: 10 }}>
              <CartesianGrid stroke="#e5e7eb" />
              <XAxis
                type="number"
                dataKey="nlf"
                domain={[0, xMax]}
                allowDataOverflow
                label={{ value: 'Non-lesion marks per image', position: 'insideBottom', offset: -15 }}
              />
              <YAxis
                type="number"
                dataKey="llf"
                domain={[0, 1]}
                label={{ value: 'Lesion localisation fraction', angle: -90, position: 'insideLeft', dy: 80 }}
              />
              <Tooltip
                formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))}
                labelFormatter={(v) => `${Number(v).toFixed(2)} non-lesion marks per image`}
              />
              <Legend verticalAlign="top" />
              {withPoints.map((s, i) => {
                const points = s.froc.points.filter((p) => p.nlf <= xMax);
                return (
                  <Line
                    key={keyOf(s.scorer)}
                    data={points}
                    dataKey="llf"
                    stroke={PALETTE[i % PALETTE.length]}
                    strokeWidth={2}
                    dot={points.length <= 12 ? { r: 3 } : false}
                    name={`${s.scorer.name}${s.scorer.phase ? ` (${s.scorer.phase})` : ''}`}
                    isAnimationActive={false}
                  />
                );
              })}
            </LineChart>
          </ResponsiveContainer>
        </div>
      )}
    </div>
  );
}

function ConfusionCard({ report }: { report: StudyReport }) {
  const [index, setIndex] = useState(0);
  const summary = report.classification.summary[index];
  if (!summary) return null;
  return (
    <div className="card">
      <div className="row spread">
        <h2>Confusion matrix</h2>
        <select value={index} onChange={(e) => setIndex(Number(e.target.value))} aria-label="Scorer">
          {report.classification.summary.map((s, i) => (
            <option key={keyOf(s.scorer)} value={i}>
              {s.scorer.name}
              {s.scorer.phase ? ` (${s.scorer.phase})` : ''}
            </option>
          ))}
        </select>
      </div>
      <table className="table compact confusion">
        <thead>
          <tr>
            <th>truth ↓ / answer →</th>
            {report.categories.map((c) => (
              <th key={c} className="num">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {summary.confusion.map((row, i) => (
            <tr key={report.categories[i]}>
              <th>{report.categories[i]}</th>
              {row.map((n, j) => (
                <td key={j} className={i === j ? 'num diagonal' : 'num'}>
                  {n}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
