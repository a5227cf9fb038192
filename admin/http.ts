// The admin API over HTTP (fetch): one call per request, and the ways a call fails told apart, because the CLI
// answers each with its own exit code: the server out of reach, the token refused, the API's own {code, msg}.

/** No HTTP answer at all: connection refused, DNS, TLS, or no answer in time. */
export class UnreachableError extends Error {}

/** 401: the token is wrong or missing. */
export class TokenRefusedError extends Error {}

/** An HTTP answer that is not a success: the API's {code, msg}, or whatever else answered. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: number | undefined;
  constructor(status: number, code: number | undefined, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** A successful answer: its text exactly as sent (for --json) and parsed. */
export interface Answer {
  text: string;
  data: unknown;
}

export interface AdminApiOptions {
  /** The edge's base URL, such as http://localhost:8080. */
  url: string;
  token: string;
  timeoutMs?: number;
  fetch?: typeof fetch;
}

export type AdminApi = (method: Method, path: string, body?: unknown) => Promise<Answer>;

export function adminApi({
  url,
  token,
  timeoutMs = 30_000,
  fetch = globalThis.fetch,
}: AdminApiOptions): AdminApi {
  const base = `${url.replace(/\/+$/, '')}/admin/v1`;
  return async function callAdminApi(method, path, body) {
    let status: number;
    let text: string;
    try {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = res.status;
      text = await res.text();
    } catch (error) {
      const reason = reasonOf(error, timeoutMs);
      throw new UnreachableError(`cannot reach the admin API at ${url}: ${reason}`, { cause: error });
    }
    if (status === 401) throw new TokenRefusedError('the admin token was refused');
    const data = parseJson(text);
    if (status >= 200 && status < 300 && data !== undefined) return { text, data };
    const { code, msg } = (data ?? {}) as { code?: unknown; msg?: unknown };
    if (typeof code === 'number' && typeof msg === 'string') throw new ApiError(status, code, msg);
    const excerpt = text.trim().slice(0, 200) || '(empty body)';
    throw new ApiError(status, undefined, `unexpected answer, HTTP ${status}: ${excerpt}`);
  };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Why fetch failed, in words: fetch itself says only "fetch failed" and keeps the reason in `cause`. */
function reasonOf(error: unknown, timeoutMs: number): string {
  if (error instanceof DOMException && error.name === 'TimeoutError') {
    return `no answer within ${timeoutMs / 1000} s`;
  }
  const cause = (error as { cause?: unknown }).cause ?? error;
  if (cause instanceof AggregateError && cause.errors.length > 0) {
    return (cause.errors as Error[]).map((e) => e.message).join('; ');
  }
  if (cause instanceof Error) return cause.message || String((cause as { code?: string }).code ?? cause);
  return String(cause);
}
