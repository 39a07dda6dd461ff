import { navigate } from '../../app/router.ts';
import { Progress } from '../../ui/Progress.tsx';
import { useApi } from '../../ui/useApi.ts';

export function StudiesPage() {
  const { data: studies, error } = useApi('studies.list', {}, 5000);
  return (
    <section className="page">
      <div className="page-head">
        <h1>Studies</h1>
        <button className="btn primary" onClick={() => navigate('studies/new')}>
          New study
        </button>
      </div>
      {error && <p className="error">{error}</p>}
      {studies && studies.length === 0 && (
        <p className="muted">No studies yet. Create one from an imported dataset.</p>
      )}
      {studies && studies.length > 0 && (
        <div className="card">
          <table className="table">
            <thead>
              <tr>
                <th>Study</th>
                <th>Status</th>
                <th className="num">Cases</th>
                <th className="num">Readers</th>
                <th>Readings committed</th>
              </tr>
            </thead>
            <tbody>
              {studies.map((s) => (
                <tr key={s.id} className="clickable" onClick={() => navigate(`studies/${s.id}`)}>
                  <td>
                    <a href={`#/studies/${s.id}`}>{s.name}</a>
                  </td>
                  <td>
                    <span className={`badge ${s.status}`}>{s.status}</span>
                  </td>
                  <td className="num">{s.caseCount}</td>
                  <td className="num">{s.readerCount}</td>
                  <td>
                    <Progress
                      value={s.completedReadings}
                      total={s.totalReadings}
                      label={`${s.completedReadings} / ${s.totalReadings}`}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
