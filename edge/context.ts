// What middleware hands to handlers (Hono context variables), typed once for the whole app.

/** What an API key may do: Binance's TRADE (orders) and USER_DATA (account reads). */
export type Permission = 'TRADE' | 'USER_DATA';
export const PERMISSIONS: readonly Permission[] = ['TRADE', 'USER_DATA'];

/** Who a signed request acts for. */
export interface Principal {
  accountId: number;
  apiKey: string;
  permissions: readonly Permission[];
}

export interface EdgeEnv {
  Variables: {
    /** Set by the signed-request middleware. */
    principal: Principal;
    /** The request's parameters: query string and form body merged (a name in both is an error). */
    params: ReadonlyMap<string, string>;
    /** The client's address as the server saw it (or the trusted proxy reported it). */
    clientIp: string;
    /** A request's weight not counted yet: the order count after authentication counts it (rateLimit). */
    deferredWeight: number | undefined;
  };
}
