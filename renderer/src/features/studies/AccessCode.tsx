/** An access code shown once, large enough to read aloud or copy. */
export function AccessCode({ name, code, onDismiss }: { name: string; code: string; onDismiss: () => void }) {
  return (
    <div className="access-code card" role="status">
      <p>
        Access code for <strong>{name}</strong> — give it to the reader now; it is not shown again.
      </p>
      <p className="code" data-testid="access-code" data-reader={name}>
        {code}
      </p>
      <div className="row">
        <button className="btn secondary small" onClick={() => void navigator.clipboard?.writeText(code)}>
          Copy
        </button>
        <button className="btn ghost small" onClick={onDismiss}>
          Done
        </button>
      </div>
    </div>
  );
}
