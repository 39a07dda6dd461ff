// The dispatch layer every transport goes through (Electron IPC, HTTP, tests): it resolves the caller from the
// bearer token, enforces each route's access, validates the request with the contract's zod schema, and
// validates every response a non-coordinator receives against the route's strict response schema. Blinding is
// therefore enforced here and in the study engine, never in the UI.
import { ApiError, routes, type Caller, type HandlerName, type Handlers } from '../contract/index.ts';

export type Dispatch = (name: string, args: unknown, token: string | null) => Promise<unknown>;

function describeIssues(error: { issues: { path: PropertyKey[]; message: string }[] }): string {
  return error.issues.map((i) => `${i.path.map(String).join('.') || '(request)'}: ${i.message}`).join('; ');
}

function allowed(access: 'public' | 'reader' | 'coordinator', caller: Caller): boolean {
  return access === 'public' || access === caller.role;
}

export function isRoute(name: string): name is HandlerName {
  return Object.hasOwn(routes, name);
}

export function createDispatch(handlers: Handlers, callerOf: (token: string | null) => Caller): Dispatch {
  return async (name, args, token) => {
    if (!isRoute(name)) throw new ApiError('not_found', `no API route "${name}"`);
    const route = routes[name];
    const caller = callerOf(token);
    if (!allowed(route.access, caller)) {
      throw caller.role === 'none'
        ? new ApiError('unauthorized', 'sign in first')
        : new ApiError('forbidden', `"${name}" is not available to a ${caller.role}`);
    }
    const parsed = route.request.safeParse(args ?? {});
    if (!parsed.success) throw new ApiError('bad_request', describeIssues(parsed.error));
    const handler = handlers[name] as (
      args: unknown,
      call: { caller: Caller; token: string | null },
    ) => unknown;
    const result = await handler(parsed.data, { caller, token });
    if (caller.role !== 'coordinator' && !route.binary) {
      if (!route.response)
        throw new ApiError('internal', `"${name}" has no response schema for a ${caller.role}`);
      const checked = route.response.safeParse(result);
      if (!checked.success) {
        // refuse rather than strip: a field that is not in the contract is a bug to be seen, not hidden
        throw new ApiError('internal', `response of "${name}" withheld: ${describeIssues(checked.error)}`);
      }
    }
    return result;
  };
}
