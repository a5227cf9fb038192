// SIGNED requests (Binance's TRADE and USER_DATA security): the API key in X-MBX-APIKEY, a `signature` over the
// query string concatenated with the form body exactly as sent (the signature parameter taken out of whichever
// holds it), a `timestamp` within `recvWindow`. Sets `principal` and `params` (query and body merged, without
// `signature`). Failures throw BinanceHttpError, which the app's one onError answers as {code, msg}.
//
// Choices where Binance leaves room:
// - timestamp in ms or µs, told apart by size (16 digits and more, >= 10^15, is µs; a ms timestamp stays 13
//   digits until the year 2286); recvWindow in ms with up to 3 decimals (µs precision), as Binance now accepts.
// - A timestamp at least 1000 ms ahead of the server's clock, or older than recvWindow: -1021.
// - Only an application/x-www-form-urlencoded body is read (signed and merged); any other body is ignored, as
//   Binance ignores it. A parameter given twice, in one place or both: -1101 (older Binance let the query win).
// - Parameters must be ASCII on the wire (percent-encode the rest), so the bytes signed are the bytes sent.
//
// Signatures are checked by the key's own `verify` (the key store's; constant-time): nothing here handles a
// secret or compares by hand.

import type { Context, MiddlewareHandler } from 'hono';
import type { ApiKey, KeyStore } from '../../api-key.ts';
import type { Clock } from '../../clock.ts';
import type { EdgeEnv, Permission } from '../../context.ts';
import { BinanceHttpError, missing } from '../../http-error.ts';
import { ipAllowed } from '../../ip-allow-list.ts';

export interface SignedOptions {
  keys: KeyStore;
  clock: Clock;
  /** What the route needs the key to allow. */
  permission: Permission;
  /** ms, when the request sends no recvWindow. */
  defaultRecvWindow?: number;
  /** ms; a larger recvWindow is refused (-1131). */
  maxRecvWindow?: number;
}

export const API_KEY_HEADER = 'X-MBX-APIKEY';
const API_KEY_FORMAT = /^[A-Za-z0-9]{64}$/;
const AHEAD_US = 1_000_000; // Binance: timestamp < serverTime + 1000 ms
const MICROSECONDS_FROM = 1e15; // a timestamp this large is in µs
const RECV_WINDOW_FORMAT = /^\d{1,20}(\.\d{1,3})?$/;
const HMAC_FORMAT = /^[0-9a-fA-F]{64}$/;
const ED25519_FORMAT = /^[A-Za-z0-9+/]{86}(==)?$/; // 64 bytes, standard base64

const fail = {
  apiKeyFormat: () => new BinanceHttpError(401, -2014, 'API-key format invalid.'),
  /** An unknown or revoked key, an address not allowed, a permission lacking: one answer for all. */
  rejected: () => new BinanceHttpError(401, -2015, 'Invalid API-key, IP, or permissions for action.'),
  illegalChars: () => new BinanceHttpError(400, -1100, 'Illegal characters found in a parameter.'),
  duplicate: () => new BinanceHttpError(400, -1101, 'Duplicate values for a parameter detected.'),
  recvWindowFormat: () =>
    new BinanceHttpError(
      400,
      -1100,
      "Illegal characters found in parameter 'recvWindow'; legal range is '^[0-9]{1,20}(\\.[0-9]{1,3})?$'.",
    ),
  recvWindowTooLarge: (max: number) =>
    new BinanceHttpError(400, -1131, `recvWindow must be less than ${max}.`),
  ahead: () =>
    new BinanceHttpError(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time."),
  outside: () => new BinanceHttpError(400, -1021, 'Timestamp for this request is outside of the recvWindow.'),
  signature: () => new BinanceHttpError(400, -1022, 'Signature for this request is not valid.'),
};

export function signed({
  keys,
  clock,
  permission,
  defaultRecvWindow = 5000,
  maxRecvWindow = 60_000,
}: SignedOptions): MiddlewareHandler<EdgeEnv> {
  if (!(defaultRecvWindow >= 0 && defaultRecvWindow <= maxRecvWindow && Number.isFinite(maxRecvWindow))) {
    throw new Error(
      `signed: need 0 <= defaultRecvWindow (${defaultRecvWindow}) <= maxRecvWindow (${maxRecvWindow})`,
    );
  }

  return async function signedRequest(c, next) {
    const apiKey = c.req.header(API_KEY_HEADER);
    if (apiKey === undefined || !API_KEY_FORMAT.test(apiKey)) throw fail.apiKeyFormat();

    const request = await readParams(c);
    const signature = request.params.get('signature');
    if (!signature) throw missing('signature');
    const timestamp = parseTimestamp(request.params.get('timestamp'));
    const recvWindow = parseRecvWindow(request.params.get('recvWindow'), defaultRecvWindow, maxRecvWindow);

    const key = await keys.find(apiKey);
    if (key === null || key.revoked) throw fail.rejected();
    if (!ipAllowed(key.ipAllowList, c.get('clientIp') as string | undefined)) throw fail.rejected();

    const now = Math.floor(clock.now() * 1000);
    if (timestamp >= now + AHEAD_US) throw fail.ahead();
    if (now - timestamp > recvWindow) throw fail.outside();

    if (!(await verifySignature(key, request.payload, signature))) throw fail.signature();
    if (!key.permissions.includes(permission)) throw fail.rejected();

    request.params.delete('signature');
    c.set('principal', { accountId: key.accountId, apiKey: key.apiKey, permissions: key.permissions });
    c.set('params', request.params);
    await next();
  };
}

/** The parameters of query and body, and the bytes the signature covers. */
async function readParams(
  c: Context<EdgeEnv>,
): Promise<{ params: Map<string, string>; payload: Uint8Array<ArrayBuffer> }> {
  const url = c.req.url;
  const mark = url.indexOf('?');
  const query = mark < 0 ? '' : url.slice(mark + 1);
  if (!isPrintableAscii(query)) throw fail.illegalChars(); // the URL parser percent-encodes the rest anyway
  const body = isForm(c.req.header('content-type')) ? ascii(new Uint8Array(await c.req.arrayBuffer())) : '';

  const params = new Map<string, string>();
  const unsigned: string[] = [];
  for (const part of [query, body]) {
    const pieces = part.split('&');
    let signatureAt = -1;
    pieces.forEach((piece, i) => {
      if (piece === '') return;
      const equals = piece.indexOf('=');
      const name = decode(equals < 0 ? piece : piece.slice(0, equals));
      if (params.has(name)) throw fail.duplicate();
      params.set(name, equals < 0 ? '' : decode(piece.slice(equals + 1)));
      if (name === 'signature') signatureAt = i;
    });
    if (signatureAt >= 0) pieces.splice(signatureAt, 1);
    unsigned.push(pieces.join('&'));
  }
  return { params, payload: new TextEncoder().encode(unsigned.join('')) }; // ASCII: one byte per character
}

function isForm(contentType: string | undefined): boolean {
  return contentType?.split(';')[0]?.trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

const isPrintableAscii = (text: string): boolean => /^[ -~]*$/.test(text);

/** The body as text, one character per byte: ASCII only, so that the bytes signed are the bytes sent. */
function ascii(bytes: Uint8Array): string {
  if (bytes.some((b) => b > 0x7f)) throw fail.illegalChars();
  return new TextDecoder().decode(bytes);
}

/** Form decoding: '+' is a space, %XX sequences are UTF-8. */
function decode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '));
  } catch {
    throw fail.illegalChars();
  }
}

/** The timestamp in µs. */
function parseTimestamp(text: string | undefined): number {
  if (text === undefined || !/^\d{1,20}$/.test(text)) throw missing('timestamp');
  const value = Number(text);
  return value >= MICROSECONDS_FROM ? value : value * 1000;
}

/** recvWindow in µs. */
function parseRecvWindow(text: string | undefined, defaultMs: number, maxMs: number): number {
  if (text === undefined) return Math.round(defaultMs * 1000);
  if (!RECV_WINDOW_FORMAT.test(text)) throw fail.recvWindowFormat();
  const [whole = '', fraction = ''] = text.split('.');
  const us = Number(whole) * 1000 + Number(fraction.padEnd(3, '0'));
  if (us > maxMs * 1000) throw fail.recvWindowTooLarge(maxMs);
  return us;
}

async function verifySignature(key: ApiKey, payload: Uint8Array, signature: string): Promise<boolean> {
  if (key.type === 'HMAC_SHA256') {
    if (!HMAC_FORMAT.test(signature)) return false;
    return key.verify(payload, fromHex(signature));
  }
  if (!ED25519_FORMAT.test(signature)) return false;
  return key.verify(payload, fromBase64(signature));
}

/** Hex digits (an even number of them, checked by the caller) as bytes. */
function fromHex(hex: string): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

/** Standard base64 (checked by the caller) as bytes. */
function fromBase64(base64: string): Uint8Array<ArrayBuffer> {
  return Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
}
