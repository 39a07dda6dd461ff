// The Electron transport: one IPC handler that hands every call to the app's dispatch, errors as values.
import type { IpcMainInvokeEvent } from 'electron';
import { ApiError } from '../contract/index.ts';
import type { Dispatch } from '../api/dispatch.ts';
import type { IpcReply } from './bridge.ts';

export function ipcHandler(dispatch: Dispatch, trustedOrigin: string) {
  return async (
    event: IpcMainInvokeEvent,
    name: unknown,
    args: unknown,
    token: unknown,
  ): Promise<IpcReply> => {
    try {
      // only our own page may call: a frame from anywhere else (there should be none) is refused
      if (!event.senderFrame?.url.startsWith(trustedOrigin))
        throw new ApiError('forbidden', 'untrusted caller');
      if (typeof name !== 'string' || (token !== null && typeof token !== 'string'))
        throw new ApiError('bad_request', 'malformed call');
      return { ok: true, value: await dispatch(name, args, token) };
    } catch (error) {
      const e =
        error instanceof ApiError
          ? error
          : new ApiError('internal', error instanceof Error ? error.message : String(error));
      return { ok: false, error: { code: e.code, message: e.message } };
    }
  };
}
