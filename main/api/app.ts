// The app behind every transport: one Store, the handlers of every domain joined into the contract's complete
// handler map, and the dispatch over it. Electron's main process, the HTTP server and the tests all start here.
import type { Caller, Events, EventName, Handlers } from '../contract/index.ts';
import { Store } from '../core/store/store.ts';
import { callerOf } from '../core/studies/access.ts';
import type { StudyContext } from '../core/studies/context.ts';
import { studyHandlers } from '../core/studies/handlers.ts';
import { datasetHandlers } from './dataset-handlers.ts';
import { createDispatch, type Dispatch } from './dispatch.ts';
import { Jobs } from './jobs.ts';
import { modelHandlers } from './model-handlers.ts';
import { reportHandlers } from './report-handlers.ts';

export type EventListener = <E extends EventName>(event: E, payload: Events[E]) => void;

export interface App {
  store: Store;
  dispatch: Dispatch;
  callerOf: (token: string | null) => Caller;
  /** Subscribes to events meant for the coordinator; returns the unsubscribe function. */
  onEvent: (listener: EventListener) => () => void;
  close: () => void;
}

export function openApp(location: string, options: { now?: () => Date } = {}): App {
  const store = Store.open(location);
  const now = options.now ?? (() => new Date());
  const ctx: StudyContext = { db: store.db, now, imagePath: (sha, ext) => store.files.imagePath(sha, ext) };
  const listeners = new Set<EventListener>();
  const jobs = new Jobs((job) => listeners.forEach((listener) => listener('job.progress', job)));
  const handlers: Handlers = {
    ...studyHandlers(ctx),
    ...datasetHandlers(store, jobs),
    ...modelHandlers(store, jobs),
    ...reportHandlers(store),
  };
  const resolveCaller = (token: string | null) => callerOf(store.db, token, now());
  return {
    store,
    dispatch: createDispatch(handlers, resolveCaller),
    callerOf: resolveCaller,
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close: () => {
      jobs.cancelAll();
      store.close();
    },
  };
}
