// Time on the case (counted by the server over visits: a reload or a crash costs nothing); a countdown when
// the study sets a limit.
import { useEffect, useRef, useState } from 'react';
import type { ReadingView } from './types.ts';

const format = (seconds: number) => {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

export function Timer({ view, onExpired }: { view: ReadingView; onExpired: () => void }) {
  // the server's clock is the reference: shift by the difference measured when the view arrived
  const offset = useRef(Date.parse(view.timing.serverNow) - Date.now());
  const [now, setNow] = useState(() => Date.now() + offset.current);
  const expired = useRef(false);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now() + offset.current), 250);
    return () => clearInterval(timer);
  }, []);
  const { visitStartedAt, elapsedBeforeMs, deadline } = view.timing;
  useEffect(() => {
    if (deadline && view.phase && !expired.current && now >= Date.parse(deadline)) {
      expired.current = true;
      onExpired();
    }
  }, [now, deadline, view.phase, onExpired]);
  if (!view.phase || !visitStartedAt) return null;
  if (deadline) {
    const left = (Date.parse(deadline) - now) / 1000;
    return (
      <span className={left <= 10 ? 'timer warning' : 'timer'} role="timer" aria-label="time left">
        {format(left)} left
      </span>
    );
  }
  return (
    <span className="timer" role="timer" aria-label="time on this case">
      {format((elapsedBeforeMs + now - Date.parse(visitStartedAt)) / 1000)}
    </span>
  );
}
