import { useEffect, useState } from 'react';
import type { ResponseOf } from '../../../../main/contract/index.ts';
import { call, errorMessage } from '../../api/client.ts';
import { navigate } from '../../app/router.ts';
import { Progress } from '../../ui/Progress.tsx';

export function ReaderHome() {
  const [studies, setStudies] = useState<ResponseOf<'reading.studies'> | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    call('reading.studies', {}).then(setStudies, (e) => setError(errorMessage(e)));
  }, []);
  if (error) return <p className="error">{error}</p>;
  if (!studies) return <p className="muted">Loading…</p>;
  return (
    <section className="page narrow">
      <h1>My studies</h1>
      {studies.length === 0 && <p className="muted">No study has been assigned to you yet.</p>}
      <ul className="study-cards">
        {studies.map((s) => (
          <li key={s.studyId} className="card study-card">
            <div className="study-card-main">
              <h2>{s.name}</h2>
              {s.instructions && <p className="instructions">{s.instructions}</p>}
              <p className="muted">
                {[
                  s.tasks.diagnosis && 'Diagnosis',
                  s.tasks.marking && 'Lesion marking',
                  s.assisted && 'AI-assisted second read',
                ]
                  .filter(Boolean)
                  .join(' · ')}
                {s.timeLimitS ? ` · ${s.timeLimitS} s per case` : ''}
              </p>
              <Progress value={s.completed} total={s.total} label={`${s.completed} of ${s.total} cases`} />
            </div>
            <button
              className="btn primary large"
              disabled={s.status === 'closed' && !s.finished && s.completed === 0}
              onClick={() => navigate(`read/${s.studyId}`)}
            >
              {s.finished ? 'Review' : s.completed > 0 ? 'Continue' : 'Start'}
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
