// What the preload puts on `window.dermaread`: one generic pipe over the contract and an event subscription.
// Type-only for the renderer; the preload implements it.
import type { ErrorCode, EventName, HandlerName } from '../contract/index.ts';

export const INVOKE_CHANNEL = 'dermaread:invoke';
export const EVENT_CHANNEL = 'dermaread:event';

// Errors travel as values: Electron flattens a thrown error into a message and would lose its code.
export type IpcReply =
  { ok: true; value: unknown } | { ok: false; error: { code: ErrorCode; message: string } };

export interface DermaReadBridge {
  invoke(name: HandlerName, args: unknown, token: string | null): Promise<IpcReply>;
  onEvent(listener: (name: EventName, payload: unknown) => void): () => void;
}
