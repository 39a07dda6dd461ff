export function Progress({ value, total, label }: { value: number; total: number; label?: string }) {
  const percent = total > 0 ? Math.round((value / total) * 100) : 0;
  return (
    <div
      className="progress"
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={total}
      aria-valuenow={value}
      aria-label={label}
    >
      <div className="progress-track">
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      {label && <span className="progress-label">{label}</span>}
    </div>
  );
}
