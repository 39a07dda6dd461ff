// The renderer's one door to the app: typed calls over the contract, through the Electron preload's IPC pipe
// when it is there, else over HTTP to the browser-mode server.
import {
  ApiError,
  type ApiErrorBody,
  type BinaryBody,
  type ErrorCode,
  type EventName,
  type Events,
  type HandlerName,
  type RequestOf,
  type ResponseOf,
} from '../../../main/contract/index.ts';
import type { DermaReadBridge } from '../../../main/electron/bridge.ts';

const TOKEN_KEY = 'dermaread.token';

declare global {
  interface Window {
    dermaread?: DermaReadBridge;
  }
}

async function httpCall(name: HandlerName, args: unknown, token: string | null): Promise<unknown> {
  const response = await fetch(`./api/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(args ?? {}),
  });
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok) {
    const body = type.includes('json') ? ((await response.json()) as ApiErrorBody) : null;
    throw new ApiError(body?.error.code ?? 'internal', body?.error.message ?? `HTTP ${response.status}`);
  }
  if (type.includes('application/json')) return response.json();
  return { mime: type, bytes: new Uint8Array(await response.arrayBuffer()) } satisfies BinaryBody;
}

async function ipcCall(name: HandlerName, args: unknown, token: string | null): Promise<unknown> {
  const reply = await window.dermaread!.invoke(name, args, token);
  if (!reply.ok) throw new ApiError(reply.error.code as ErrorCode, reply.error.message);
  return reply.value;
}

const transport = window.dermaread ? ipcCall : httpCall;

export const session = {
  get token(): string | null {
    return sessionStorage.getItem(TOKEN_KEY);
  },
  set token(value: string | null) {
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
  },
};

export async function call<K extends HandlerName>(name: K, args: RequestOf<K>): Promise<ResponseOf<K>> {
  return (await transport(name, args, session.token)) as ResponseOf<K>;
}

/** Subscribes to coordinator events; returns the unsubscribe function. */
export function onEvent<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
  if (window.dermaread)
    return window.dermaread.onEvent((name, payload) => name === event && listener(payload as Events[E]));
  const source = new EventSource(`./api/events?token=${encodeURIComponent(session.token ?? '')}`);
  const handle = (message: MessageEvent<string>) => listener(JSON.parse(message.data) as Events[E]);
  source.addEventListener(event, handle);
  return () => source.close();
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
