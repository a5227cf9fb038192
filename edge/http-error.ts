// The one HTTP error of the edge: thrown anywhere (middleware, handlers), answered by the app's one onError in
// Binance's shape {"code": -1121, "msg": "Invalid symbol."} with its HTTP status.

import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type BinanceError, binanceError } from './errors.ts';
import type { ResultCode } from '../matcher/core/index.ts';

export class BinanceHttpError extends Error {
  readonly status: ContentfulStatusCode;
  readonly code: number;
  /** Extra response headers (Retry-After, ...). */
  readonly headers: Record<string, string>;
  /** Details some errors carry (cancel-replace reports both halves under `data`). */
  readonly data: unknown;

  constructor(
    status: ContentfulStatusCode,
    code: number,
    msg: string,
    headers: Record<string, string> = {},
    data?: unknown,
  ) {
    super(msg);
    this.name = 'BinanceHttpError';
    this.status = status;
    this.code = code;
    this.headers = headers;
    this.data = data;
  }

  static of(error: BinanceError): BinanceHttpError {
    return new BinanceHttpError(error.status, error.code, error.msg);
  }

  static rejected(code: Exclude<ResultCode, 'OK'>, detail?: string): BinanceHttpError {
    return BinanceHttpError.of(binanceError(code, detail));
  }

  get body(): { code: number; msg: string; data?: unknown } {
    return this.data === undefined
      ? { code: this.code, msg: this.message }
      : { code: this.code, msg: this.message, data: this.data };
  }
}

/** Binance's -1102: a mandatory parameter missing, empty or malformed. */
export const missing = (name: string): BinanceHttpError =>
  new BinanceHttpError(
    400,
    -1102,
    `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`,
  );

/** Binance's -1100: characters a parameter may not hold. */
export const illegal = (name: string): BinanceHttpError =>
  new BinanceHttpError(
    400,
    -1100,
    `Illegal characters found in parameter '${name}'; legal range is '^[0-9]{1,20}(\\.[0-9]{1,20})?$'.`,
  );
