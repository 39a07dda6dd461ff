// Datasets: what is imported (cases, splits, ground truth per category) and an import of a COCO file or a
// Pascal VOC folder with its images, running in the background with a progress bar.
import { useEffect, useState, type FormEvent } from 'react';
import { call, errorMessage } from '../../api/client.ts';
import { Progress } from '../../ui/Progress.tsx';
import { useApi } from '../../ui/useApi.ts';
import { useJob } from '../../ui/useJob.ts';

export function DatasetsPage() {
  const { data: datasets, error, reload } = useApi('catalog.datasets', {});
  const [format, setFormat] = useState<'coco' | 'voc'>('coco');
  const [path, setPath] = useState('');
  const [images, setImages] = useState('');
  const [name, setName] = useState('');
  const [splitFile, setSplitFile] = useState('');
  const [job, setJob] = useJob();
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    if (job?.state === 'done') reload();
  }, [job?.state, reload]);

  const start = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    try {
      setJob(
        await call('datasets.import', {
          format,
          path,
          images: images || null,
          name: name || null,
          splitFile: splitFile || null,
        }),
      );
    } catch (e) {
      setFailure(errorMessage(e));
    }
  };

  return (
    <section className="page">
      <h1>Datasets</h1>
      {(error || failure) && (
        <p className="error" role="alert">
          {error ?? failure}
        </p>
      )}
      <div className="card">
        <h2>Imported</h2>
        {datasets?.length === 0 && <p className="muted">Nothing imported yet.</p>}
        {datasets && datasets.length > 0 && (
          <table className="table">
            <thead>
              <tr>
                <th>Dataset</th>
                <th className="num">Cases</th>
                <th className="num">Patients</th>
                <th>Splits</th>
                <th>Ground truth per category</th>
              </tr>
            </thead>
            <tbody>
              {datasets.map((d) => (
                <tr key={d.id}>
                  <td>{d.name}</td>
                  <td className="num">{d.caseCount}</td>
                  <td className="num">{d.patientCount}</td>
                  <td>{d.splits.map((s) => `${s.name} ${s.caseCount}`).join(' · ') || '—'}</td>
                  <td className="muted">
                    {Object.entries(d.countsByCategory)
                      .map(([k, v]) => `${k} ${v}`)
                      .join(' · ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <form className="card" onSubmit={start} aria-label="Import a dataset">
        <h2>Import</h2>
        <div className="row">
          <label className="radio">
            <input
              type="radio"
              name="format"
              checked={format === 'coco'}
              onChange={() => setFormat('coco')}
            />{' '}
            COCO JSON file
          </label>
          <label className="radio">
            <input type="radio" name="format" checked={format === 'voc'} onChange={() => setFormat('voc')} />{' '}
            Pascal VOC folder
          </label>
        </div>
        <label className="field">
          <span>{format === 'coco' ? 'Annotation file (.json)' : 'Folder of VOC .xml files'}</span>
          <input
            name="path"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            placeholder="/data/clinic/annotations.json"
          />
        </label>
        <label className="field">
          <span>Image folder {format === 'coco' ? '(optional: else beside the file)' : ''}</span>
          <input name="images" value={images} onChange={(e) => setImages(e.target.value)} />
        </label>
        <div className="row">
          <label className="field grow">
            <span>Name (optional)</span>
            <input name="datasetName" value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <label className="field grow">
            <span>Split file (optional, JSON: train/val/test image ids)</span>
            <input name="splitFile" value={splitFile} onChange={(e) => setSplitFile(e.target.value)} />
          </label>
        </div>
        <div className="row">
          <button className="btn primary" type="submit" disabled={!path.trim() || job?.state === 'running'}>
            Import
          </button>
          {job?.state === 'running' && (
            <button
              type="button"
              className="btn ghost"
              onClick={() => void call('jobs.cancel', { jobId: job.jobId }).then(setJob)}
            >
              Cancel
            </button>
          )}
        </div>
        {job && (
          <div className="job">
            <Progress value={job.done} total={job.total} label={`${job.state}: ${job.done} / ${job.total}`} />
            {job.message && <p className="error">{job.message}</p>}
          </div>
        )}
      </form>
    </section>
  );
}
