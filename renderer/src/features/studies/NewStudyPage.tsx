import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { call, errorMessage } from '../../api/client.ts';
import { navigate } from '../../app/router.ts';
import { Check } from '../../ui/Check.tsx';
import { useApi } from '../../ui/useApi.ts';
import { AccessCode } from './AccessCode.tsx';
import {
  ReadingConditionsFields,
  StudyTextFields,
  timeLimitS,
  type ReadingConditions,
} from './StudyFields.tsx';

export function NewStudyPage() {
  const { data: datasets } = useApi('catalog.datasets', {});
  const { data: readers, reload: reloadReaders } = useApi('readers.list', {});
  const { data: models } = useApi('models.list', {});
  const [name, setName] = useState('');
  const [instructions, setInstructions] = useState('');
  const [datasetId, setDatasetId] = useState<number | null>(null);
  const [split, setSplit] = useState<string>('');
  const [sampleKind, setSampleKind] = useState<'all' | 'stratified'>('stratified');
  const [sampleN, setSampleN] = useState(20);
  const [sampleSeed, setSampleSeed] = useState(1);
  const [onePerPatient, setOnePerPatient] = useState(true);
  const [diagnosis, setDiagnosis] = useState(true);
  const [probabilities, setProbabilities] = useState(false);
  const [marking, setMarking] = useState(false);
  const [conditions, setConditions] = useState<ReadingConditions>({
    show: { age: true, sex: true, site: true },
    timeLimit: '',
    allowPrevious: true,
  });
  const [assistedModel, setAssistedModel] = useState('');
  const [orderSeed, setOrderSeed] = useState(1);
  const [readerIds, setReaderIds] = useState<number[]>([]);
  const [newReader, setNewReader] = useState('');
  const [issued, setIssued] = useState<{ name: string; code: string }[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (datasets && datasets.length > 0 && datasetId === null) setDatasetId(datasets[0].id);
  }, [datasets, datasetId]);
  const dataset = useMemo(() => datasets?.find((d) => d.id === datasetId) ?? null, [datasets, datasetId]);
  const pool = split ? dataset?.splits.find((s) => s.name === split) : dataset;
  const available = (onePerPatient ? pool?.patientCount : pool?.caseCount) ?? 0;

  const addReader = async () => {
    try {
      const { reader, accessCode } = await call('readers.create', { name: newReader });
      setIssued((l) => [...l, { name: reader.name, code: accessCode }]);
      setReaderIds((ids) => [...ids, reader.id]);
      setNewReader('');
      reloadReaders();
    } catch (e) {
      setError(errorMessage(e));
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (datasetId === null) return;
    setBusy(true);
    setError(null);
    try {
      const study = await call('studies.create', {
        name,
        instructions,
        datasetId,
        split: split || null,
        sample: sampleKind === 'all' ? { kind: 'all' } : { kind: 'stratified', n: sampleN, seed: sampleSeed },
        onePerPatient,
        tasks: { diagnosis, probabilities: diagnosis && probabilities, marking },
        show: conditions.show,
        timeLimitS: timeLimitS(conditions),
        allowPrevious: conditions.allowPrevious,
        assistedModelVersionId: assistedModel ? Number(assistedModel) : null,
        orderSeed,
        readerIds,
      });
      navigate(`studies/${study.id}`);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="page narrow">
      <h1>New study</h1>
      <form className="form" onSubmit={submit} aria-label="New study">
        <fieldset className="card">
          <legend>Study</legend>
          <StudyTextFields
            name={name}
            instructions={instructions}
            onName={setName}
            onInstructions={setInstructions}
          />
        </fieldset>

        <fieldset className="card">
          <legend>Cases</legend>
          <div className="row">
            <label className="field grow">
              <span>Dataset</span>
              <select
                name="dataset"
                value={datasetId ?? ''}
                onChange={(e) => setDatasetId(Number(e.target.value))}
              >
                {datasets?.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name} ({d.caseCount} cases)
                  </option>
                ))}
              </select>
            </label>
            <label className="field">
              <span>Split</span>
              <select name="split" value={split} onChange={(e) => setSplit(e.target.value)}>
                <option value="">All cases</option>
                {dataset?.splits.map((s) => (
                  <option key={s.name} value={s.name}>
                    {s.name} ({s.caseCount})
                  </option>
                ))}
              </select>
            </label>
          </div>
          <div className="row">
            <label className="radio">
              <input
                type="radio"
                name="sample"
                checked={sampleKind === 'all'}
                onChange={() => setSampleKind('all')}
              />{' '}
              All {available} cases
            </label>
            <label className="radio">
              <input
                type="radio"
                name="sample"
                checked={sampleKind === 'stratified'}
                onChange={() => setSampleKind('stratified')}
              />{' '}
              Stratified random sample
            </label>
          </div>
          {sampleKind === 'stratified' && (
            <div className="row">
              <label className="field">
                <span>Number of cases</span>
                <input
                  name="sampleN"
                  type="number"
                  min={1}
                  max={available}
                  value={sampleN}
                  onChange={(e) => setSampleN(Number(e.target.value))}
                />
              </label>
              <label className="field">
                <span>Sample seed</span>
                <input
                  name="sampleSeed"
                  type="number"
                  value={sampleSeed}
                  onChange={(e) => setSampleSeed(Number(e.target.value))}
                />
              </label>
            </div>
          )}
          <Check name="onePerPatient" checked={onePerPatient} onChange={setOnePerPatient}>
            One case per patient (or lesion group): {pool?.patientCount ?? 0} patients among{' '}
            {pool?.caseCount ?? 0} cases
          </Check>
          {dataset && (
            <p className="muted small">
              By ground truth:{' '}
              {Object.entries(dataset.countsByCategory)
                .map(([k, v]) => `${k} ${v}`)
                .join(' · ')}
            </p>
          )}
        </fieldset>

        <fieldset className="card">
          <legend>Tasks and blinding</legend>
          <Check name="taskDiagnosis" checked={diagnosis} onChange={setDiagnosis}>
            Diagnosis (one category + confidence 0–100)
          </Check>
          <Check indent disabled={!diagnosis} checked={probabilities} onChange={setProbabilities}>
            Also a probability per category
          </Check>
          <Check name="taskMarking" checked={marking} onChange={setMarking}>
            Lesion marking (a box with a category for each lesion)
          </Check>
          <ReadingConditionsFields value={conditions} onChange={setConditions} />
          <label className="field">
            <span>Case order seed</span>
            <input
              name="orderSeed"
              type="number"
              value={orderSeed}
              onChange={(e) => setOrderSeed(Number(e.target.value))}
            />
          </label>
          <label className="field">
            <span>AI-assisted second read</span>
            <select
              name="assistedModel"
              value={assistedModel}
              onChange={(e) => setAssistedModel(e.target.value)}
            >
              <option value="">None</option>
              {models
                ?.filter((m) => m.status !== 'retired')
                .map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.name} {m.version} ({m.task})
                  </option>
                ))}
            </select>
          </label>
        </fieldset>

        <fieldset className="card">
          <legend>Readers</legend>
          <div className="reader-picks">
            {readers?.map((r) => (
              <Check
                key={r.id}
                checked={readerIds.includes(r.id)}
                onChange={(on) =>
                  setReaderIds((ids) => (on ? [...ids, r.id] : ids.filter((x) => x !== r.id)))
                }
              >
                {r.name}
              </Check>
            ))}
          </div>
          <div className="row">
            <label className="field grow">
              <span>Add a new reader</span>
              <input
                name="newReader"
                value={newReader}
                onChange={(e) => setNewReader(e.target.value)}
                placeholder="Reader's name"
              />
            </label>
            <button
              type="button"
              className="btn secondary"
              disabled={!newReader.trim()}
              onClick={() => void addReader()}
            >
              Add reader
            </button>
          </div>
          {issued.map((i, k) => (
            <AccessCode
              key={i.code}
              name={i.name}
              code={i.code}
              onDismiss={() => setIssued((l) => l.filter((_, j) => j !== k))}
            />
          ))}
        </fieldset>

        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <div className="row end">
          <button type="button" className="btn ghost" onClick={() => navigate('studies')}>
            Cancel
          </button>
          <button
            type="submit"
            className="btn primary large"
            disabled={busy || !name.trim() || datasetId === null}
          >
            Create study
          </button>
        </div>
      </form>
    </section>
  );
}
