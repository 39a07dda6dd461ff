// CSV exports of the report, one table per file name: AUCs and paired tests, MRMC, detection, FROC,
// confusion matrices, agreement and reading time. The classification and MRMC tables are left out when the
// report skipped those sections (the reason is in the JSON export).
import type { Report, ScorerRef } from './report.ts';

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = String(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function table(header: string[], rows: unknown[][]): string {
  return [header, ...rows].map((row) => row.map(cell).join(',')).join('\n') + '\n';
}

const who = (s: ScorerRef) => [s.name, s.kind, s.phase ?? ''];

type Estimate = {
  difference: number;
  se: number;
  df: number;
  statistic: number;
  p: number;
  ci: [number, number];
};

// The mrmc.csv columns from 'difference' to 'note' of one computed comparison.
const estimateCells = (e: Estimate) => [
  e.difference,
  e.se,
  e.df,
  e.statistic,
  e.p,
  `${e.ci[0]} ${e.ci[1]}`,
  '',
];

// The mrmc.csv columns from 'variant' to 'note' of a comparison that was not computed.
const skippedCells = (reason: string) => [...Array<string>(9).fill(''), reason];

export function reportCsv(report: Report): Record<string, string> {
  const files: Record<string, string> = {};
  if (!report.classification.skipped) {
    files['auc.csv'] = table(
      [
        'category',
        'scorer',
        'kind',
        'phase',
        'cases',
        'positives',
        'negatives',
        'auc',
        'se',
        'ci_low',
        'ci_high',
        'diff_vs_model',
        'diff_ci_low',
        'diff_ci_high',
        'z_vs_model',
        'p_vs_model',
        'cases_vs_model',
        'sensitivity',
        'specificity',
      ],
      report.classification.perCategory.flatMap((c) =>
        c.scorers.map((s) => [
          c.category,
          ...who(s.scorer),
          s.cases,
          s.auc?.positives,
          s.auc?.negatives,
          s.auc?.auc,
          s.auc?.se,
          s.auc?.ci[0],
          s.auc?.ci[1],
          s.vsModel?.difference,
          s.vsModel?.ci[0],
          s.vsModel?.ci[1],
          s.vsModel?.z,
          s.vsModel?.p,
          s.vsModel?.cases,
          s.operatingPoint?.sensitivity,
          s.operatingPoint?.specificity,
        ]),
      ),
    );
    files['summary.csv'] = table(
      [
        'scorer',
        'kind',
        'phase',
        'cases',
        'macro_auc',
        'accuracy',
        'balanced_accuracy',
        'cohen_kappa_vs_truth',
      ],
      report.classification.summary.map((s) => [
        ...who(s.scorer),
        s.cases,
        s.macroAuc,
        s.accuracy,
        s.balancedAccuracy,
        s.kappa,
      ]),
    );
    files['confusion.csv'] = table(
      ['scorer', 'kind', 'phase', 'truth', ...report.categories],
      report.classification.summary.flatMap((s) =>
        s.confusion.map((row, t) => [...who(s.scorer), report.categories[t], ...row]),
      ),
    );
    files['fleiss.csv'] = table(
      ['phase', 'fleiss_kappa', 'cases', 'ratings'],
      report.classification.fleiss.map((f) => [f.phase, f.kappa, f.subjects, f.ratings]),
    );
  }
  if (!report.mrmc.skipped) {
    const mrmcRows: unknown[][] = [];
    for (const phase of report.mrmc.readersVsModel) {
      for (const c of phase.categories) {
        if ('skipped' in c.result) {
          mrmcRows.push([
            'readers vs model',
            phase.phase,
            c.category,
            c.cases,
            ...skippedCells(c.result.skipped),
          ]);
          continue;
        }
        for (const [variant, e] of [
          ['random readers, random cases', c.result.randomReadersRandomCases],
          ['fixed readers, random cases', c.result.fixedReadersRandomCases],
          ['random readers, fixed cases', c.result.randomReadersFixedCases],
        ] as const) {
          mrmcRows.push([
            'readers vs model',
            phase.phase,
            c.category,
            c.cases,
            variant,
            c.result.readerMean,
            c.result.referenceAuc,
            ...estimateCells(e),
          ]);
        }
      }
    }
    for (const c of report.mrmc.unaidedVsAssisted ?? []) {
      if ('skipped' in c.result) {
        mrmcRows.push(['unaided vs assisted', '', c.category, c.cases, ...skippedCells(c.result.skipped)]);
        continue;
      }
      const r = c.result;
      for (const [variant, section] of [
        ['random readers, random cases', r.randomReadersRandomCases],
        ['fixed readers, random cases', r.fixedReadersRandomCases],
        ['random readers, fixed cases', r.randomReadersFixedCases],
      ] as const) {
        for (const e of section.comparisons) {
          mrmcRows.push([
            'unaided vs assisted',
            e.treatments.join(' - '),
            c.category,
            c.cases,
            variant,
            r.treatmentMeans[0],
            r.treatmentMeans[1],
            ...estimateCells(e),
          ]);
        }
      }
    }
    files['mrmc.csv'] = table(
      [
        'analysis',
        'phase',
        'category',
        'cases',
        'variant',
        'mean_auc_a',
        'auc_b',
        'difference',
        'se',
        'df',
        'statistic',
        'p',
        'ci',
        'note',
      ],
      mrmcRows,
    );
  }
  if (report.detection) {
    files['detection.csv'] = table(
      [
        'scorer',
        'kind',
        'phase',
        'images',
        'AP',
        'AP50',
        'AP75',
        'APsmall',
        'APmedium',
        'APlarge',
        'AR1',
        'AR10',
        'AR100',
        'ARsmall',
        'ARmedium',
        'ARlarge',
        'model_AP_same_images',
        'froc_mean_sensitivity',
      ],
      report.detection.scorers.map((d) => [
        ...who(d.scorer),
        d.images,
        ...Object.values(d.coco.summary),
        d.modelOnSameImages?.AP,
        d.froc.meanSensitivity,
      ]),
    );
    files['froc.csv'] = table(
      ['scorer', 'kind', 'phase', 'threshold', 'llf', 'nlf'],
      report.detection.scorers.flatMap((d) =>
        d.froc.points.map((pt) => [...who(d.scorer), pt.threshold, pt.llf, pt.nlf]),
      ),
    );
  }
  files['reading-time.csv'] = table(
    ['reader', 'kind', 'phase', 'cases', 'total_ms', 'mean_ms', 'median_ms'],
    report.readingTime.map((t) => [...who(t.scorer), t.cases, t.totalMs, t.meanMs, t.medianMs]),
  );
  return files;
}
