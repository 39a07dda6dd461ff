// A printable, self-contained HTML report (inline CSS and SVG charts, no scripts, no external files).
import type { FrocPoint } from '../stats/froc.ts';
import type { RocPoint } from '../stats/roc.ts';
import type { Report, ScorerRef } from './report.ts';

const escape = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
const fixed = (x: number | null | undefined, digits = 3) => {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  const text = x.toFixed(digits);
  return /^-0\.0*$/.test(text) ? text.slice(1) : text;
};
/** COCO values are -1 where there is no ground truth (e.g. no large lesion). */
const coco = (x: number) => (x < 0 ? '–' : fixed(x));
const pValue = (p: number | null | undefined) =>
  p === null || p === undefined || !Number.isFinite(p) ? '–' : p < 0.0001 ? '<0.0001' : p.toFixed(4);
const label = (s: ScorerRef) => escape(s.name) + (s.phase ? ` <span class="muted">(${s.phase})</span>` : '');
const interval = (ci: [number, number] | undefined) => (ci ? `(${fixed(ci[0])}, ${fixed(ci[1])})` : '–');

/** An MRMC table row (eight columns) of a category whose comparison was not computed. */
const skippedRow = (category: string, cases: number, reason: string) => [
  escape(category),
  String(cases),
  `<span class="muted">${escape(reason)}</span>`,
  '',
  '',
  '',
  '',
  '',
];

function tableHtml(header: string[], rows: string[][]): string {
  return `<table><thead><tr>${header.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
}

const COLOURS = ['#1f5fa8', '#c2571a', '#2e8b57', '#8e44ad', '#b03060', '#6b6b00', '#00838f'];

/** A unit-square chart: curves as polylines and points as dots, x and y in [0, xMax] x [0, 1]. */
function chart(
  title: string,
  xLabel: string,
  yLabel: string,
  xMax: number,
  curves: { name: string; points: [number, number][] }[],
  dots: { name: string; x: number; y: number; assisted: boolean }[],
  chance = false,
): string {
  const size = 220;
  const pad = 34;
  const sx = (x: number) => pad + (Math.min(x, xMax) / xMax) * size;
  const sy = (y: number) => pad + size - y * size;
  const lines = curves
    .map(
      (c, i) =>
        `<polyline fill="none" stroke="${COLOURS[i % COLOURS.length]}" stroke-width="1.6" points="${c.points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}"><title>${escape(c.name)}</title></polyline>`,
    )
    .join('');
  const marks = dots
    .map(
      (d) =>
        `<circle cx="${sx(d.x).toFixed(1)}" cy="${sy(d.y).toFixed(1)}" r="3.2" fill="${d.assisted ? '#fff' : '#222'}" stroke="#222"><title>${escape(d.name)}</title></circle>`,
    )
    .join('');
  const legend = curves
    .map((c, i) => `<span style="color:${COLOURS[i % COLOURS.length]}">■ ${escape(c.name)}</span>`)
    .concat(dots.length ? ['● readers unaided ○ assisted'] : [])
    .join(' ');
  return `<figure><svg viewBox="0 0 ${size + 2 * pad} ${size + 2 * pad}" width="${size + 2 * pad}" role="img" aria-label="${escape(title)}">
<rect x="${pad}" y="${pad}" width="${size}" height="${size}" fill="none" stroke="#999"/>
${chance ? `<line x1="${sx(0)}" y1="${sy(0)}" x2="${sx(1)}" y2="${sy(1)}" stroke="#ccc" stroke-dasharray="3 3"/>` : ''}
<text x="${pad}" y="${pad - 8}" font-size="12" font-weight="bold">${escape(title)}</text>
<text x="${pad + size / 2}" y="${pad + size + 16}" font-size="10" text-anchor="middle">${escape(xLabel)} (0–${xMax})</text>
<text x="10" y="${pad + size / 2}" font-size="10" text-anchor="middle" transform="rotate(-90 10 ${pad + size / 2})">${escape(yLabel)}</text>
${lines}${marks}</svg><figcaption>${legend}</figcaption></figure>`;
}

const rocPoints = (curve: RocPoint[]): [number, number][] => curve.map((p) => [p.fpr, p.tpr]);
const frocPoints = (points: FrocPoint[]): [number, number][] => points.map((p) => [p.nlf, p.llf]);

export function reportHtml(report: Report): string {
  const parts: string[] = [];
  const c = report.counts;
  parts.push(
    `<h1>${escape(report.title)}</h1><p class="muted">Generated ${escape(report.generatedAt)} · ${c.cases} cases · ${c.readers} readers · ${c.readings} readings · ${c.models} model(s) · ${c.groups} reader group(s) · ${Math.round(report.level * 100)}% confidence intervals (DeLong) · reference model: ${escape(report.referenceModel ?? 'none')}</p>`,
  );
  if (report.caseIndependence) {
    parts.push(`<p class="warning">${escape(report.caseIndependence)}.</p>`);
  }
  if (report.withdrawnReaders.length > 0) {
    parts.push(
      `<p>Withdrawn readers, left out of every statistic: ${report.withdrawnReaders.map((w) => `${escape(w.name)} (${w.readings} readings; ${escape(w.withdrawnAt)}: ${escape(w.reason)})`).join('; ')}</p>`,
    );
  }

  if (report.classification.skipped) {
    parts.push(
      `<h2>Classification</h2><p class="muted">Not computed: ${escape(report.classification.skipped)}.</p>`,
    );
  } else {
    parts.push('<h2>Classification: AUC per category</h2>');
    for (const category of report.classification.perCategory) {
      const curves = category.scorers
        .filter((s) => s.curve)
        .map((s) => ({ name: s.scorer.name, points: rocPoints(s.curve!) }));
      const dots = category.scorers
        .filter(
          (s) =>
            s.scorer.kind === 'reader' && s.operatingPoint && Number.isFinite(s.operatingPoint.specificity),
        )
        .map((s) => ({
          name: `${s.scorer.name} (${s.scorer.phase})`,
          x: 1 - s.operatingPoint!.specificity,
          y: s.operatingPoint!.sensitivity,
          assisted: s.scorer.phase === 'assisted',
        }));
      const rows = category.scorers.map((s) => [
        label(s.scorer),
        String(s.cases),
        fixed(s.auc?.auc),
        interval(s.auc?.ci),
        s.vsModel ? fixed(s.vsModel.difference) : '–',
        pValue(s.vsModel?.p),
        fixed(s.operatingPoint?.sensitivity),
        fixed(s.operatingPoint?.specificity),
      ]);
      parts.push(
        `<section class="category"><h3>${escape(category.category)} <span class="muted">(${category.positives} positive, ${category.negatives} negative)</span></h3><div class="row">${chart(`ROC: ${category.category}`, '1 − specificity', 'sensitivity', 1, curves, dots, true)}${tableHtml(['', 'cases', 'AUC', 'CI', '− model', 'p (DeLong)', 'sens.', 'spec.'], rows)}</div></section>`,
      );
    }

    parts.push('<h2>Overall</h2>');
    parts.push(
      tableHtml(
        ['', 'cases', 'mean AUC', 'accuracy', 'balanced accuracy', "Cohen's κ vs truth"],
        report.classification.summary.map((s) => [
          label(s.scorer),
          String(s.cases),
          fixed(s.macroAuc),
          fixed(s.accuracy),
          fixed(s.balancedAccuracy),
          fixed(s.kappa),
        ]),
      ),
    );
    if (report.classification.fleiss.length) {
      parts.push(
        `<p>Fleiss' κ among readers: ${report.classification.fleiss.map((f) => `${f.phase} ${fixed(f.kappa)} (${f.subjects} cases)`).join('; ')}</p>`,
      );
    }

    parts.push(
      '<h2>Confusion matrices <span class="muted">(rows: truth, columns: decision)</span></h2><div class="row">',
    );
    for (const s of report.classification.summary) {
      parts.push(
        `<div><h4>${label(s.scorer)}</h4>${tableHtml(
          ['', ...report.categories.map(escape)],
          s.confusion.map((row, t) => [`<b>${escape(report.categories[t])}</b>`, ...row.map(String)]),
        )}</div>`,
      );
    }
    parts.push('</div>');
  }

  if (report.mrmc.skipped) {
    parts.push(
      `<h2>Multi-reader multi-case analysis</h2><p class="muted">Not computed: ${escape(report.mrmc.skipped)}.</p>`,
    );
  } else {
    parts.push(
      `<h2>Multi-reader multi-case analysis <span class="muted">(Obuchowski–Rockette, Hillis df, ${report.mrmc.covariance} covariance)</span></h2>`,
    );
    for (const phase of report.mrmc.readersVsModel) {
      const rows = phase.categories.map((entry) => {
        if ('skipped' in entry.result) return skippedRow(entry.category, entry.cases, entry.result.skipped);
        const r = entry.result;
        const e = r.randomReadersRandomCases;
        return [
          escape(entry.category),
          String(entry.cases),
          fixed(r.readerMean),
          fixed(r.referenceAuc),
          fixed(e.difference),
          interval(e.ci),
          fixed(e.df, 1),
          pValue(e.p),
        ];
      });
      parts.push(
        `<h3>Readers (${phase.phase}) against ${escape(phase.model)} as a fixed reference</h3>${tableHtml(['category', 'cases', 'readers’ mean AUC', 'model AUC', 'readers − model', 'CI', 'df', 'p'], rows)}`,
      );
    }
    if (report.mrmc.unaidedVsAssisted) {
      const rows = report.mrmc.unaidedVsAssisted.map((entry) => {
        if ('skipped' in entry.result) return skippedRow(entry.category, entry.cases, entry.result.skipped);
        const r = entry.result;
        const e = r.randomReadersRandomCases.comparisons[0];
        return [
          escape(entry.category),
          String(entry.cases),
          fixed(r.treatmentMeans[0]),
          fixed(r.treatmentMeans[1]),
          fixed(e.difference),
          interval(e.ci),
          fixed(e.df, 1),
          pValue(e.p),
        ];
      });
      parts.push(
        `<h3>Unaided versus assisted reads (random readers, random cases)</h3>${tableHtml(['category', 'cases', 'unaided', 'assisted', 'unaided − assisted', 'CI', 'df', 'p'], rows)}`,
      );
    }
  }

  if (report.detection) {
    parts.push(
      '<h2>Detection</h2><p class="muted">COCO AP (IoU .50:.95, 101-point interpolation); a reader’s boxes are scored by the reading’s confidence.</p>',
    );
    parts.push(
      tableHtml(
        [
          '',
          'images',
          'AP',
          'AP50',
          'AP75',
          'AP small',
          'AP medium',
          'AP large',
          'AR100',
          'model AP, same images',
          'FROC mean sens.',
        ],
        report.detection.scorers.map((d) => [
          label(d.scorer),
          String(d.images),
          coco(d.coco.summary.AP),
          coco(d.coco.summary.AP50),
          coco(d.coco.summary.AP75),
          coco(d.coco.summary.APsmall),
          coco(d.coco.summary.APmedium),
          coco(d.coco.summary.APlarge),
          coco(d.coco.summary.AR100),
          fixed(d.modelOnSameImages?.AP),
          fixed(d.froc.meanSensitivity),
        ]),
      ),
    );
    // The x axis ends at the first of 1/8, 1/4, ... false marks per image that holds every curve, at most 8.
    const widest = Math.max(...report.detection.scorers.map((d) => d.froc.points.at(-1)?.nlf ?? 0));
    const xMax = [0.125, 0.25, 0.5, 1, 2, 4, 8].find((x) => x >= widest) ?? 8;
    parts.push(
      chart(
        'FROC',
        'non-lesion marks per image',
        'lesion localisation fraction',
        xMax,
        report.detection.scorers.map((d) => ({
          name: `${d.scorer.name}${d.scorer.phase ? ` (${d.scorer.phase})` : ''}`,
          points: frocPoints(d.froc.points.filter((p) => p.nlf <= xMax)),
        })),
        [],
      ),
    );
  }

  if (report.readingTime.length) {
    parts.push('<h2>Reading time</h2>');
    parts.push(
      tableHtml(
        ['reader', 'cases timed', 'total (min)', 'mean (s)', 'median (s)'],
        report.readingTime.map((t) => [
          label(t.scorer),
          String(t.cases),
          fixed(t.totalMs / 60000, 1),
          fixed(t.meanMs / 1000, 1),
          fixed(t.medianMs / 1000, 1),
        ]),
      ),
    );
  }

  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escape(report.title)}</title><style>
body{font:13px/1.4 system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:16px;border-bottom:1px solid #ccc;margin-top:28px}
h3{font-size:14px}table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid #ddd;padding:2px 6px;text-align:right}
th:first-child,td:first-child{text-align:left}.muted{color:#777;font-weight:normal}.row{display:flex;flex-wrap:wrap;gap:16px;align-items:flex-start}
.warning{background:#fff7ed;border:1px solid #fed7aa;padding:4px 8px}figure{margin:0;max-width:290px}figcaption{font-size:10px}section.category{break-inside:avoid}@media print{body{margin:0}h2{break-after:avoid}}
</style></head><body>${parts.join('\n')}</body></html>
`;
}
