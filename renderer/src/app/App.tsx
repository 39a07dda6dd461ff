import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import type { ResponseOf } from '../../../main/contract/index.ts';
import { call, errorMessage, session } from '../api/client.ts';
import { DatasetsPage } from '../features/datasets/DatasetsPage.tsx';
import { ModelsPage } from '../features/models/ModelsPage.tsx';
import { ReaderHome } from '../features/reading/ReaderHome.tsx';
import { ReadingPage } from '../features/reading/ReadingPage.tsx';
import { SignIn } from '../features/session/SignIn.tsx';
import { NewStudyPage } from '../features/studies/NewStudyPage.tsx';
import { ReadersPage } from '../features/studies/ReadersPage.tsx';
import { StudiesPage } from '../features/studies/StudiesPage.tsx';
import { StudyPage } from '../features/studies/StudyPage.tsx';
import { navigate, useRoute } from './router.ts';

type Status = ResponseOf<'session.status'>;

// the dashboard carries the charting library: loaded only when a coordinator opens it
const ReportPage = lazy(() =>
  import('../features/reports/ReportPage.tsx').then((m) => ({ default: m.ReportPage })),
);

export function App() {
  const [status, setStatus] = useState<Status | null>(null);
  const [error, setError] = useState<string | null>(null);
  const route = useRoute();

  const refresh = useCallback(() => {
    call('session.status', {}).then(setStatus, (e) => setError(errorMessage(e)));
  }, []);
  useEffect(refresh, [refresh]);

  const signOut = async () => {
    await call('session.signOut', {}).catch(() => undefined);
    session.token = null;
    navigate('');
    refresh();
  };

  if (error) return <div className="fatal">Cannot reach DermaRead: {error}</div>;
  if (!status) return <div className="loading">Loading…</div>;
  if (status.role === 'none') return <SignIn status={status} onSignedIn={refresh} />;

  if (status.role === 'reader') {
    const page =
      route[0] === 'read' && route[1] ? (
        <ReadingPage key={route[1]} studyId={Number(route[1])} />
      ) : (
        <ReaderHome />
      );
    return (
      <Shell role="reader" who={status.reader?.name ?? ''} onSignOut={signOut} compact={route[0] === 'read'}>
        {page}
      </Shell>
    );
  }

  let page;
  if (route[0] === 'studies' && route[1] === 'new') page = <NewStudyPage />;
  else if (route[0] === 'studies' && route[1] && route[2] === 'report')
    page = (
      <Suspense fallback={<p className="muted page">Loading…</p>}>
        <ReportPage studyId={Number(route[1])} />
      </Suspense>
    );
  else if (route[0] === 'studies' && route[1]) page = <StudyPage key={route[1]} studyId={Number(route[1])} />;
  else if (route[0] === 'readers') page = <ReadersPage />;
  else if (route[0] === 'models') page = <ModelsPage />;
  else if (route[0] === 'datasets') page = <DatasetsPage />;
  else page = <StudiesPage />;
  return (
    <Shell role="coordinator" who="Coordinator" onSignOut={signOut} active={route[0] ?? 'studies'}>
      {page}
    </Shell>
  );
}

function Shell(props: {
  role: 'reader' | 'coordinator';
  who: string;
  onSignOut: () => void;
  active?: string;
  compact?: boolean;
  children: React.ReactNode;
}) {
  const link = (path: string, label: string) => (
    <a href={`#/${path}`} className={props.active === path ? 'nav-link active' : 'nav-link'}>
      {label}
    </a>
  );
  return (
    <div className={props.compact ? 'shell compact' : 'shell'}>
      <header className="topbar">
        <a className="brand" href="#/">
          <span className="brand-mark" aria-hidden="true" />
          DermaRead
        </a>
        {props.role === 'coordinator' ? (
          <nav className="nav">
            {link('studies', 'Studies')}
            {link('readers', 'Readers')}
            {link('datasets', 'Datasets')}
            {link('models', 'Models')}
          </nav>
        ) : (
          <nav className="nav">{link('', 'My studies')}</nav>
        )}
        <div className="who">
          <span>{props.who}</span>
          <button className="btn ghost small" onClick={props.onSignOut}>
            Sign out
          </button>
        </div>
      </header>
      <main className="content">{props.children}</main>
    </div>
  );
}
