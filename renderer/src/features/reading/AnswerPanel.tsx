// The answer controls: the category list (keyboard shortcuts, short descriptions), the confidence, the
// per-category probabilities when asked, the list of marked lesions, and the model's output in the assisted read.
import type { Answer, ReadingView } from './types.ts';

interface Props {
  view: ReadingView;
  answer: Answer;
  editable: boolean;
  onChange: (answer: Answer) => void;
  newBoxCategory: string;
  onNewBoxCategory: (code: string) => void;
  aiMinScore: number;
  onAiMinScore: (score: number) => void;
}

export function AnswerPanel({
  view,
  answer,
  editable,
  onChange,
  newBoxCategory,
  onNewBoxCategory,
  aiMinScore,
  onAiMinScore,
}: Props) {
  const nameOf = (code: string) => view.categories.find((c) => c.code === code)?.name ?? code;
  const probabilitySum = Object.values(answer.probabilities ?? {}).reduce((a, b) => a + b, 0);
  return (
    <div className="answer">
      {view.modelOutput && (
        <section className="model-output" aria-label="AI output">
          <h3>AI output · {view.modelOutput.modelName}</h3>
          {view.modelOutput.probabilities.length > 0 && (
            <ul className="bars">
              {view.modelOutput.probabilities.slice(0, 5).map((p) => (
                <li key={p.code}>
                  <span className="bar-label" title={nameOf(p.code)}>
                    {nameOf(p.code)}
                  </span>
                  <span className="bar">
                    <span className="bar-fill" style={{ width: `${Math.round(p.probability * 100)}%` }} />
                  </span>
                  <span className="bar-value">{Math.round(p.probability * 100)} %</span>
                </li>
              ))}
            </ul>
          )}
          {view.modelOutput.boxes.length > 0 && (
            <label className="ai-threshold">
              <span>
                {view.modelOutput.boxes.filter((b) => b.score >= aiMinScore).length} of{' '}
                {view.modelOutput.boxes.length} AI boxes shown dashed: score ≥ {aiMinScore.toFixed(2)}
              </span>
              <input
                type="range"
                min={0.05}
                max={0.95}
                step={0.05}
                value={aiMinScore}
                aria-label="Lowest AI box score shown"
                onChange={(e) => onAiMinScore(Number(e.target.value))}
              />
            </label>
          )}
        </section>
      )}

      {view.tasks.diagnosis && (
        <section aria-label="Diagnosis">
          <h3>Diagnosis</h3>
          <div className="categories" role="radiogroup" aria-label="Diagnosis">
            {view.categories.map((c) => (
              <button
                key={c.code}
                role="radio"
                aria-checked={answer.category === c.code}
                className={answer.category === c.code ? 'category chosen' : 'category'}
                disabled={!editable}
                onClick={() => onChange({ ...answer, category: c.code })}
                data-code={c.code}
                title={c.description}
              >
                <kbd>{c.shortcut}</kbd>
                <span className="category-text">
                  <span className="category-name">{c.name}</span>
                  <span className="category-description">{c.description}</span>
                </span>
              </button>
            ))}
          </div>

          <h3 id="confidence-label">Confidence</h3>
          <div className="confidence">
            <input
              type="range"
              min={0}
              max={100}
              step={1}
              aria-labelledby="confidence-label"
              disabled={!editable}
              value={answer.confidence ?? 50}
              className={answer.confidence === null ? 'unset' : ''}
              onChange={(e) => onChange({ ...answer, confidence: Number(e.target.value) })}
            />
            <input
              type="number"
              min={0}
              max={100}
              aria-label="Confidence (0-100)"
              name="confidence"
              disabled={!editable}
              value={answer.confidence ?? ''}
              placeholder="—"
              onChange={(e) => {
                const value =
                  e.target.value === ''
                    ? null
                    : Math.max(0, Math.min(100, Math.round(Number(e.target.value))));
                onChange({ ...answer, confidence: value });
              }}
            />
          </div>
          <div className="confidence-scale muted">
            <span>0 · unsure</span>
            <span>100 · certain</span>
          </div>

          {view.tasks.probabilities && (
            <>
              <h3>Probability per category</h3>
              <div className="probabilities">
                {view.categories.map((c) => (
                  <label key={c.code} className="probability">
                    <span>{c.name}</span>
                    <input
                      type="number"
                      min={0}
                      max={100}
                      disabled={!editable}
                      value={answer.probabilities?.[c.code] ?? ''}
                      onChange={(e) => {
                        const next = { ...(answer.probabilities ?? {}) };
                        if (e.target.value === '') delete next[c.code];
                        else next[c.code] = Math.max(0, Math.min(100, Number(e.target.value)));
                        onChange({ ...answer, probabilities: Object.keys(next).length ? next : null });
                      }}
                    />
                    <span className="unit">%</span>
                  </label>
                ))}
                <p className={Math.abs(probabilitySum - 100) <= 0.5 ? 'sum ok' : 'sum'}>
                  Sum: {Math.round(probabilitySum * 10) / 10} %
                </p>
              </div>
            </>
          )}
        </section>
      )}

      {view.tasks.marking && (
        <section aria-label="Lesions">
          <h3>Lesions ({answer.boxes.length})</h3>
          {editable && (
            <label className="field inline">
              <span>New boxes</span>
              <select value={newBoxCategory} onChange={(e) => onNewBoxCategory(e.target.value)}>
                {view.categories.map((c) => (
                  <option key={c.code} value={c.code}>
                    {c.name}
                  </option>
                ))}
              </select>
            </label>
          )}
          {answer.boxes.length === 0 ? (
            <p className="muted">
              {editable
                ? 'Drag on the image to box each lesion. No box means no lesion.'
                : 'No lesions marked.'}
            </p>
          ) : (
            <ol className="box-list">
              {answer.boxes.map((b, i) => (
                <li key={i}>
                  <span className="box-index">{i + 1}</span>
                  <select
                    aria-label={`Category of box ${i + 1}`}
                    disabled={!editable}
                    value={b.category}
                    onChange={(e) =>
                      onChange({
                        ...answer,
                        boxes: answer.boxes.map((x, j) => (j === i ? { ...x, category: e.target.value } : x)),
                      })
                    }
                  >
                    {view.categories.map((c) => (
                      <option key={c.code} value={c.code}>
                        {c.name}
                      </option>
                    ))}
                  </select>
                  <span className="muted small box-size">
                    {Math.round(b.xMax - b.xMin)}×{Math.round(b.yMax - b.yMin)} px
                  </span>
                  {editable && (
                    <button
                      className="btn ghost small"
                      aria-label={`Delete box ${i + 1}`}
                      onClick={() => onChange({ ...answer, boxes: answer.boxes.filter((_, j) => j !== i) })}
                    >
                      Delete
                    </button>
                  )}
                </li>
              ))}
            </ol>
          )}
          {editable && (
            <p className="hint-keys muted small">
              Drag on the image to draw · drag a box to move it · drag a corner to resize · <kbd>Del</kbd>{' '}
              removes the selected box · <kbd>B</kbd> draw/pan · wheel zooms · <kbd>F</kbd> fits
            </p>
          )}
        </section>
      )}
    </div>
  );
}
