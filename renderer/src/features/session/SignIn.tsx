import { useState, type FormEvent } from 'react';
import type { ResponseOf } from '../../../../main/contract/index.ts';
import { call, errorMessage, session } from '../../api/client.ts';

export function SignIn({
  status,
  onSignedIn,
}: {
  status: ResponseOf<'session.status'>;
  onSignedIn: () => void;
}) {
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [readerError, setReaderError] = useState<string | null>(null);
  const [coordError, setCoordError] = useState<string | null>(null);

  const signInReader = async (event: FormEvent) => {
    event.preventDefault();
    setReaderError(null);
    try {
      session.token = (await call('session.signInReader', { accessCode: code })).token;
      onSignedIn();
    } catch (e) {
      setReaderError(errorMessage(e));
    }
  };

  const signInCoordinator = async (event: FormEvent) => {
    event.preventDefault();
    setCoordError(null);
    try {
      if (!status.coordinatorConfigured) {
        if (password !== confirm) throw new Error('the two passwords differ');
        session.token = (await call('session.setupCoordinator', { password })).token;
      } else {
        session.token = (await call('session.signInCoordinator', { password })).token;
      }
      onSignedIn();
    } catch (e) {
      setCoordError(errorMessage(e));
    }
  };

  return (
    <div className="signin">
      <div className="signin-brand">
        <span className="brand-mark large" aria-hidden="true" />
        <h1>DermaRead</h1>
        <p className="muted">Blinded reader studies in dermatology</p>
      </div>
      <div className="signin-cards">
        <form className="card" onSubmit={signInReader} aria-label="Reader sign-in">
          <h2>Reader</h2>
          <p className="muted">Enter the access code your study coordinator gave you.</p>
          <label className="field">
            <span>Access code</span>
            <input
              name="accessCode"
              autoFocus
              autoComplete="off"
              spellCheck={false}
              className="code-input"
              placeholder="XXXX-XXXX-XXXX"
              value={code}
              onChange={(e) => setCode(e.target.value)}
            />
          </label>
          {readerError && (
            <p className="error" role="alert">
              {readerError}
            </p>
          )}
          <button className="btn primary large" type="submit" disabled={code.trim().length < 4}>
            Start reading
          </button>
        </form>
        <form className="card" onSubmit={signInCoordinator} aria-label="Coordinator sign-in">
          <h2>Study coordinator</h2>
          <p className="muted">
            {status.coordinatorConfigured
              ? 'Sign in to set up studies, readers and models.'
              : 'First start: choose the coordinator password (at least 8 characters).'}
          </p>
          <label className="field">
            <span>Password</span>
            <input
              name="password"
              type="password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
            />
          </label>
          {!status.coordinatorConfigured && (
            <label className="field">
              <span>Repeat password</span>
              <input
                name="confirm"
                type="password"
                value={confirm}
                onChange={(e) => setConfirm(e.target.value)}
              />
            </label>
          )}
          {coordError && (
            <p className="error" role="alert">
              {coordError}
            </p>
          )}
          <button className="btn secondary large" type="submit" disabled={password.length === 0}>
            {status.coordinatorConfigured ? 'Sign in' : 'Set password and sign in'}
          </button>
        </form>
      </div>
    </div>
  );
}
