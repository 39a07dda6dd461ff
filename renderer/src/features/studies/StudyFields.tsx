// The fields shared by the new-study form and an open study's settings form.

import { Check } from '../../ui/Check.tsx';

/** The study's name and its instructions for readers (editable while the study is open). */
export function StudyTextFields(props: {
  name: string;
  instructions: string;
  onName: (name: string) => void;
  onInstructions: (instructions: string) => void;
}) {
  return (
    <>
      <label className="field">
        <span>Name</span>
        <input name="studyName" value={props.name} onChange={(e) => props.onName(e.target.value)} required />
      </label>
      <label className="field">
        <span>Instructions for readers (optional)</span>
        <textarea
          name="instructions"
          rows={2}
          value={props.instructions}
          onChange={(e) => props.onInstructions(e.target.value)}
        />
      </label>
    </>
  );
}

/** What readers see, the time limit and going back: the reading conditions a study is created with, and which
 * its settings form may change until the first case is shown. */
export interface ReadingConditions {
  show: { age: boolean; sex: boolean; site: boolean };
  timeLimit: string; // seconds as typed; empty = no limit
  allowPrevious: boolean;
}

export const timeLimitS = (c: ReadingConditions): number | null => (c.timeLimit ? Number(c.timeLimit) : null);

export function ReadingConditionsFields({
  value,
  onChange,
}: {
  value: ReadingConditions;
  onChange: (value: ReadingConditions) => void;
}) {
  return (
    <>
      <p className="field-label">Readers may see</p>
      <div className="row">
        {(['age', 'sex', 'site'] as const).map((k) => (
          <Check
            key={k}
            name={`show-${k}`}
            checked={value.show[k]}
            onChange={(on) => onChange({ ...value, show: { ...value.show, [k]: on } })}
          >
            {k === 'site' ? 'body site' : k}
          </Check>
        ))}
      </div>
      <p className="muted small">
        Ground truth, model output and other readers' answers are never shown to readers.
      </p>
      <label className="field">
        <span>Time limit per case (s, empty = none)</span>
        <input
          name="timeLimit"
          type="number"
          min={1}
          value={value.timeLimit}
          onChange={(e) => onChange({ ...value, timeLimit: e.target.value })}
        />
      </label>
      <Check checked={value.allowPrevious} onChange={(on) => onChange({ ...value, allowPrevious: on })}>
        Readers may look back at earlier cases (committed answers stay final)
      </Check>
    </>
  );
}
