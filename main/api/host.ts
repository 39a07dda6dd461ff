// The app behind a message channel, so the desktop shell can run it in a separate process (Electron's
// utilityProcess): inference and image decoding then never stall the window's process. One side answers
// calls with the app's dispatch and forwards its events; the other side is a dispatch function over the channel.
import { ApiError, type ErrorCode, type EventName } from '../contract/index.ts';
import type { App } from './app.ts';
import type { Dispatch } from './dispatch.ts';

export type HostMessage =
  | { kind: 'call'; id: number; name: string; args: unknown; token: string | null }
  | { kind: 'reply'; id: number; ok: true; value: unknown }
  | { kind: 'reply'; id: number; ok: false; error: { code: ErrorCode; message: string } }
  | { kind: 'event'; name: EventName; payload: unknown };

/** Either end of a message channel: Electron's parentPort/UtilityProcess, or a Node child process. */
export interface Channel {
  post(message: HostMessage): void;
  listen(handler: (message: HostMessage) => void): void;
}

/** Answers calls arriving on the channel with the app's dispatch, and forwards the app's events. */
export function serveOnChannel(app: App, channel: Channel): void {
  app.onEvent((name, payload) => channel.post({ kind: 'event', name, payload }));
  channel.listen(async (message) => {
    if (message.kind !== 'call') return;
    try {
      channel.post({
        kind: 'reply',
        id: message.id,
        ok: true,
        value: await app.dispatch(message.name, message.args, message.token),
      });
    } catch (error) {
      const e =
        error instanceof ApiError
          ? error
          : new ApiError('internal', error instanceof Error ? error.message : String(error));
      channel.post({ kind: 'reply', id: message.id, ok: false, error: { code: e.code, message: e.message } });
    }
  });
}

/** A dispatch function (and the event stream) of an app served on the other end of the channel. */
export function dispatchOverChannel(channel: Channel): {
  dispatch: Dispatch;
  onEvent: (listener: (name: EventName, payload: unknown) => void) => () => void;
} {
  let next = 1;
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
  const listeners = new Set<(name: EventName, payload: unknown) => void>();
  channel.listen((message) => {
    if (message.kind === 'event') listeners.forEach((listener) => listener(message.name, message.payload));
    if (message.kind !== 'reply') return;
    const call = pending.get(message.id);
    pending.delete(message.id);
    if (message.ok) call?.resolve(message.value);
    else call?.reject(new ApiError(message.error.code, message.error.message));
  });
  return {
    dispatch: (name, args, token) =>
      new Promise((resolve, reject) => {
        const id = next++;
        pending.set(id, { resolve, reject });
        channel.post({ kind: 'call', id, name, args, token });
      }),
    onEvent: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
