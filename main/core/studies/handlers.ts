// The study engine's part of the API: sessions, readers, studies and reading, as contract handlers.
import { ApiError, type CallContext, type HandlerMap } from '../../contract/index.ts';
import * as access from './access.ts';
import type { StudyContext } from './context.ts';
import * as design from './design.ts';
import * as reading from './reading.ts';

type StudyRoutes =
  | 'session.status'
  | 'session.setupCoordinator'
  | 'session.signInCoordinator'
  | 'session.signInReader'
  | 'session.signOut'
  | 'reading.studies'
  | 'reading.open'
  | 'reading.case'
  | 'reading.saveDraft'
  | 'reading.commit'
  | 'reading.touch'
  | 'reading.image'
  | 'catalog.datasets'
  | 'readers.list'
  | 'readers.create'
  | 'readers.reissueCode'
  | 'studies.list'
  | 'studies.create'
  | 'studies.get'
  | 'studies.addReaders'
  | 'studies.withdrawReader'
  | 'studies.update'
  | 'studies.close';

function readerId({ caller }: CallContext): number {
  // the dispatch layer has checked the route's access already; this guards a handler wired to the wrong route
  if (caller.role !== 'reader') throw new ApiError('forbidden', 'reader access required');
  return caller.readerId;
}

export function studyHandlers(ctx: StudyContext): HandlerMap<StudyRoutes> {
  return {
    'session.status': (_args, { caller }) => ({
      coordinatorConfigured: access.coordinatorConfigured(ctx.db),
      role: caller.role,
      reader: caller.role === 'reader' ? { id: caller.readerId, name: caller.name } : null,
    }),
    'session.setupCoordinator': ({ password }) => ({
      token: access.setupCoordinator(ctx.db, password, ctx.now()),
      role: 'coordinator',
      reader: null,
    }),
    'session.signInCoordinator': ({ password }) => ({
      token: access.signInCoordinator(ctx.db, password, ctx.now()),
      role: 'coordinator',
      reader: null,
    }),
    'session.signInReader': ({ accessCode }) => {
      const { token, readerId: id, name } = access.signInReader(ctx.db, accessCode, ctx.now());
      return { token, role: 'reader', reader: { id, name } };
    },
    'session.signOut': (_args, { token }) => {
      access.signOut(ctx.db, token, ctx.now());
      return {};
    },

    'reading.studies': (_args, call) => reading.readerStudies(ctx, readerId(call)),
    'reading.open': ({ studyId }, call) => reading.openReading(ctx, readerId(call), studyId),
    'reading.case': ({ studyId, position }, call) => reading.viewCase(ctx, readerId(call), studyId, position),
    'reading.saveDraft': (args, call) => reading.saveDraft(ctx, readerId(call), args),
    'reading.commit': (args, call) => reading.commitReading(ctx, readerId(call), args),
    'reading.touch': (args, call) => reading.touchCase(ctx, readerId(call), args),
    'reading.image': ({ studyId, imageKey }, call) =>
      reading.caseImage(ctx, readerId(call), studyId, imageKey),

    'catalog.datasets': () => design.listDatasets(ctx),
    'readers.list': () => design.listReaders(ctx),
    'readers.create': ({ name }) => design.createReader(ctx, name),
    'readers.reissueCode': ({ readerId: id }) => design.reissueAccessCode(ctx, id),
    'studies.list': () => design.listStudies(ctx),
    'studies.create': (request) => design.createStudy(ctx, request),
    'studies.get': ({ studyId }) => design.studyDetail(ctx, studyId),
    'studies.addReaders': ({ studyId, readerIds }) => design.addReaders(ctx, studyId, readerIds),
    'studies.withdrawReader': ({ studyId, readerId: id, reason }) =>
      design.withdrawReader(ctx, studyId, id, reason),
    'studies.update': (request) => design.updateStudy(ctx, request),
    'studies.close': ({ studyId }) => design.closeStudy(ctx, studyId),
  };
}
