// A typed API client over HTTP for tests, speaking the same contract as the renderer.
import {
  ApiError,
  type ApiErrorBody,
  type HandlerName,
  type RequestOf,
  type ResponseOf,
} from '../../../main/contract/index.ts';

export interface RawResponse {
  status: number;
  contentType: string;
  text: string;
  bytes: Uint8Array;
}

export async function rawCall(
  baseUrl: string,
  name: string,
  args: unknown,
  token: string | null,
): Promise<RawResponse> {
  const response = await fetch(`${baseUrl}api/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(args),
  });
  const bytes = new Uint8Array(await response.arrayBuffer());
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    text: Buffer.from(bytes).toString('utf8'),
    bytes,
  };
}

export function client(baseUrl: string, token: string | null = null) {
  return async function call<K extends HandlerName>(name: K, args: RequestOf<K>): Promise<ResponseOf<K>> {
    const response = await rawCall(baseUrl, name, args, token);
    if (response.status !== 200) {
      const body = JSON.parse(response.text) as ApiErrorBody;
      throw new ApiError(body.error.code, body.error.message);
    }
    return JSON.parse(response.text) as ResponseOf<K>;
  };
}
