import type { ReactNode } from 'react';

/** A labelled checkbox that reports its new state. */
export function Check({
  checked,
  onChange,
  children,
  name,
  disabled,
  indent,
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  children: ReactNode;
  name?: string;
  disabled?: boolean;
  indent?: boolean;
}) {
  return (
    <label className={indent ? 'check indent' : 'check'}>
      <input
        type="checkbox"
        name={name}
        checked={checked}
        disabled={disabled}
        onChange={(e) => onChange(e.target.checked)}
      />{' '}
      {children}
    </label>
  );
}
