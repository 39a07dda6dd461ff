import { useState, type FormEvent } from 'react';
import type { StudyDetail } from '../../../../main/contract/index.ts';
import { call, errorMessage } from '../../api/client.ts';

/**
 * The settings of an open study that may still change: name and instructions always; what readers see, the
 * time limit and going back only until a reader has been shown a case (the engine refuses them after that).
 */
export function EditStudy({
  study,
  onSaved,
  onCancel,
}: {
  study: StudyDetail;
  onSaved: (study: StudyDetail) => void;
  onCancel: () => void;
}) {
  const s = study.settings;
  const [name, setName] = useState(study.name);
  const [instructions, setInstructions] = useState(study.instructions);
  const [show, setShow] = useState(s.show);
  const [timeLimit, setTimeLimit] = useState(s.timeLimitS === null ? '' : String(s.timeLimitS));
  const [allowPrevious, setAllowPrevious] = useState(s.allowPrevious);
  const [failure, setFailure] = useState<string | null>(null);
  const locked = study.readingStarted;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const conditions = locked
        ? {}
        : { show, timeLimitS: timeLimit ? Number(timeLimit) : null, allowPrevious };
      onSaved(await call('studies.update', { studyId: study.id, name, instructions, ...conditions }));
    } catch (err) {
      setFailure(errorMessage(err));
    }
  };

  return (
    <form className="form" onSubmit={(e) => void submit(e)} aria-label="Edit study">
      <label className="field">
        <span>Name</span>
        <input name="studyName" value={name} onChange={(e) => setName(e.target.value)} required />
      </label>
      <label className="field">
        <span>Instructions for readers</span>
        <textarea
          name="instructions"
          rows={2}
          value={instructions}
          onChange={(e) => setInstructions(e.target.value)}
        />
      </label>
      {locked ? (
        <p className="muted small" data-testid="settings-locked">
          Readers have been shown cases: what they see, the time limit and going back are fixed for the rest
          of the study.
        </p>
      ) : (
        <>
          <p className="field-label">Readers may see</p>
          <div className="row">
            {(['age', 'sex', 'site'] as const).map((k) => (
              <label key={k} className="check">
                <input
                  type="checkbox"
                  name={`show-${k}`}
                  checked={show[k]}
                  onChange={(e) => setShow({ ...show, [k]: e.target.checked })}
                />{' '}
                {k === 'site' ? 'body site' : k}
              </label>
            ))}
          </div>
          <label className="field">
            <span>Time limit per case (s, empty = none)</span>
            <input
              name="timeLimit"
              type="number"
              min={1}
              value={timeLimit}
              onChange={(e) => setTimeLimit(e.target.value)}
            />
          </label>
          <label className="check">
            <input
              type="checkbox"
              checked={allowPrevious}
              onChange={(e) => setAllowPrevious(e.target.checked)}
            />{' '}
            Readers may look back at earlier cases
          </label>
        </>
      )}
      {failure && <p className="error">{failure}</p>}
      <div className="row">
        <button className="btn primary small" type="submit">
          Save settings
        </button>
        <button className="btn ghost small" type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
