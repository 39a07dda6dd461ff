import { useState, type FormEvent } from 'react';
import type { StudyDetail } from '../../../../main/contract/index.ts';
import { call, errorMessage } from '../../api/client.ts';
import {
  ReadingConditionsFields,
  StudyTextFields,
  timeLimitS,
  type ReadingConditions,
} from './StudyFields.tsx';

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
  const [conditions, setConditions] = useState<ReadingConditions>({
    show: s.show,
    timeLimit: s.timeLimitS === null ? '' : String(s.timeLimitS),
    allowPrevious: s.allowPrevious,
  });
  const [failure, setFailure] = useState<string | null>(null);
  const locked = study.readingStarted;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    try {
      const changed = locked
        ? {}
        : {
            show: conditions.show,
            timeLimitS: timeLimitS(conditions),
            allowPrevious: conditions.allowPrevious,
          };
      onSaved(await call('studies.update', { studyId: study.id, name, instructions, ...changed }));
    } catch (err) {
      setFailure(errorMessage(err));
    }
  };

  return (
    <form className="form" onSubmit={(e) => void submit(e)} aria-label="Edit study">
      <StudyTextFields
        name={name}
        instructions={instructions}
        onName={setName}
        onInstructions={setInstructions}
      />
      {locked ? (
        <p className="muted small" data-testid="settings-locked">
          Readers have been shown cases: what they see, the time limit and going back are fixed for the rest
          of the study.
        </p>
      ) : (
        <ReadingConditionsFields value={conditions} onChange={setConditions} />
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
