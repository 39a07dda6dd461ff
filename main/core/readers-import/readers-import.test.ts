import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseIsicReaderStudy, voteFractions } from './isic2018.ts';
import { parseReadsCsv } from './reads-csv.ts';

const categories = ['mel', 'nv', 'bcc'];

test('a reads CSV becomes answers with confidences, phases and times', () => {
  const text =
    'reader,case,category,confidence,phase,time_ms\r\nDr A,c1,MEL,80,,1200\r\nDr A,c2,nv,,assisted,\r\n"Dr, B",c1,bcc,0,unaided,900\r\n';
  const reads = parseReadsCsv(text, 'reads.csv', categories);
  assert.deepEqual(
    reads.map((r) => [
      r.line,
      r.readerId,
      r.caseId,
      r.phase,
      r.answer.category,
      r.answer.confidence,
      r.timeMs,
    ]),
    [
      [2, 'Dr A', 'c1', 'unaided', 'mel', 80, 1200],
      [3, 'Dr A', 'c2', 'assisted', 'nv', null, null],
      [4, 'Dr, B', 'c1', 'unaided', 'bcc', 0, 900],
    ],
  );
});

test('every bad row of a reads CSV is named by line, and nothing is returned', () => {
  const text =
    'reader,case,category,confidence\nA,c1,mel,101\n,c2,nv,50\nA,c3,scc,50\nA,c5,nv,20\nA,c4,nv,abc\nA,c5,mel,20\n';
  assert.throws(
    () => parseReadsCsv(text, 'reads.csv', categories),
    (error: Error) => {
      assert.match(error.message, /^reads.csv: 5 error\(s\)/);
      assert.match(error.message, /line 2: confidence must be 0-100 \(got "101"\)/);
      assert.match(error.message, /line 3: reader is empty/);
      assert.match(error.message, /line 4: category "scc" is not one of mel, nv, bcc/);
      assert.match(error.message, /line 7: reader A already read case c5 \(unaided\) on line 5/);
      assert.match(error.message, /line 6: confidence must be a number/);
      return true;
    },
  );
  assert.throws(
    () => parseReadsCsv('reader,case,confidence\n', 'r.csv', categories),
    /r.csv line 1: missing column\(s\) category/,
  );
  assert.throws(
    () => parseReadsCsv('reader,case,category,confidence\nA,"c1,mel,1\n', 'r.csv', categories),
    /r.csv line 2: unterminated quoted field/,
  );
});

test('ISIC 2018 votes are read by column name and become vote fractions', () => {
  // Two files of the real study list the categories in different orders.
  const text =
    '"","isic_id","AKIEC","BCC","BKL","MEL","NV","VASC","DF","image_diag_id"\n"1","ISIC_0024306",1,0,0,0,8,1,0,"NV"\n"2","ISIC_0024310",1,0,5,7,0,0,3,"MEL"\n';
  const group = parseIsicReaderStudy(text, 'training_set_isic.csv', 'all readers');
  assert.deepEqual(group.images[1].votes, [1, 0, 5, 3, 7, 0, 0]);
  assert.equal(group.images[1].truth, 'mel');
  assert.deepEqual([...voteFractions(group.images[0], group, ['nv', 'vasc', 'mel'])], [0.8, 0.1, 0]);
  assert.throws(
    () => voteFractions(group.images[0], group, ['scc']),
    /"scc" is not in the ISIC 2018 reader study/,
  );
});

test('bad ISIC rows are named by line', () => {
  const text =
    'isic_id,AKIEC,BCC,BKL,MEL,NV,DF,VASC,image_diag_id\nISIC_1,0,0,0,0,0,0,0,NV\nISIC_2,1,x,0,0,0,0,0,SCC\n';
  assert.throws(
    () => parseIsicReaderStudy(text, 'votes.csv', 'g'),
    /line 2: image ISIC_1 has no votes[\s\S]*line 3: BCC must be a number[\s\S]*line 3: image_diag_id "SCC"/,
  );
});

const STUDY = new URL('../../../../shared/data/isic2018_reader_study/training_set_isic.csv', import.meta.url);

test(
  'the real ISIC 2018 training-set votes give the figures the data README measured',
  { skip: existsSync(STUDY) ? false : `${STUDY.pathname} is absent` },
  () => {
    const group = parseIsicReaderStudy(readFileSync(STUDY, 'utf8'), 'training_set_isic.csv', 'all readers');
    assert.equal(group.images.length, 10013);
    let reads = 0;
    let correct = 0;
    const mel = group.categories.indexOf('mel');
    const melanoma = { tp: 0, fn: 0, tn: 0, fp: 0 };
    for (const image of group.images) {
      image.votes.forEach((v, k) => {
        reads += v;
        if (group.categories[k] === image.truth) correct += v;
      });
      const others = image.votes.reduce((s, v) => s + v, 0) - image.votes[mel];
      if (image.truth === 'mel') {
        melanoma.tp += image.votes[mel];
        melanoma.fn += others;
      } else {
        melanoma.fp += image.votes[mel];
        melanoma.tn += others;
      }
    }
    assert.equal(reads, 151570);
    assert.equal(Number((correct / reads).toFixed(3)), 0.622);
    assert.equal(Number((melanoma.tp / (melanoma.tp + melanoma.fn)).toFixed(3)), 0.587);
    assert.equal(Number((melanoma.tn / (melanoma.tn + melanoma.fp)).toFixed(3)), 0.851);
  },
);
