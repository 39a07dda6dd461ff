// iMRMC's input format (FDA/DIDSR iMRMC, also read by RJafroc's DfReadIowaFormats): a free-text header with
// NR, N0, N1 and NM, then "BEGIN DATA:" and rows readerID,caseID,modalityID,score; truth rows have reader -1,
// modality 0 and score 0/1. One file per category (one-vs-rest); modalities are the reading phases, and the
// model, when included, is one more reader in a modality of its own.
import { prepareReport, type ReportInput } from './input.ts';

export function imrmcInput(
  input: ReportInput,
  category: string,
  options: { includeModel?: boolean } = {},
): string {
  const p = prepareReport(input);
  if (p.classificationSkipped) throw new Error(`no iMRMC input for this study: ${p.classificationSkipped}`);
  const k = p.categories.indexOf(category);
  if (k < 0) throw new Error(`unknown category "${category}" (known: ${p.categories.join(', ')})`);
  const model = options.includeModel === false ? null : (p.models[0] ?? null);
  const scorers = [...p.readers, ...(model ? [model] : [])];
  const read = p.cases.map((_, c) => scorers.some((s) => s.scores[c] !== null));
  const caseNumbers = new Map<number, number>();
  p.cases.forEach((_, c) => read[c] && caseNumbers.set(c, caseNumbers.size + 1));
  const modalities = [...p.phases, ...(model ? ['model'] : [])];
  const modalityOf = (phase: string | null) => modalities.indexOf(phase ?? 'model') + 1;
  const readerIds = [...new Set(scorers.map((s) => s.id))];
  let n0 = 0;
  let n1 = 0;
  const truthRows: string[] = [];
  for (const [c, number] of caseNumbers) {
    const positive = p.truth[k][c];
    if (positive) n1++;
    else n0++;
    truthRows.push(`-1,${number},0,${positive ? 1 : 0}`);
  }
  const dataRows: string[] = [];
  for (const s of scorers) {
    for (const [c, number] of caseNumbers) {
      const scores = s.scores[c];
      if (scores)
        dataRows.push(`${readerIds.indexOf(s.id) + 1},${number},${modalityOf(s.phase)},${scores[k]}`);
    }
  }
  const legend = [
    `DermaRead export for iMRMC: ${p.title}, category "${category}" (1 = present) against the rest.`,
    `Modalities: ${modalities.map((m, i) => `${i + 1} = ${m}`).join(', ')}.`,
    `Readers: ${readerIds.map((id, i) => `${i + 1} = ${scorers.find((s) => s.id === id)!.name}`).join(', ')}.`,
    `Cases: ${[...caseNumbers].map(([c, number]) => `${number} = ${p.cases[c].id}`).join(', ')}.`,
  ];
  return [
    ...legend,
    '',
    `NR: ${readerIds.length}`,
    `N0: ${n0}`,
    `N1: ${n1}`,
    `NM: ${modalities.length}`,
    '',
    'BEGIN DATA:',
    ...truthRows,
    ...dataRows,
    '',
  ].join('\n');
}
