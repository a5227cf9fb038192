// Types for the part of @binance/connector (Binance's official Node.js connector, plain JavaScript without
// declarations of its own) that edge/binance-client.test.ts drives. Each method answers with the axios
// response; failures reject with the axios error (its `response` holds Binance's {code, msg}).

declare module '@binance/connector' {
  export interface ConnectorResponse<T> {
    data: T;
    status: number;
    headers: Record<string, string | undefined>;
  }

  export type Options = Record<string, string | number | boolean | string[]>;

  export class Spot {
    constructor(apiKey?: string, apiSecret?: string, options?: { baseURL?: string; timeout?: number });
    ping(): Promise<ConnectorResponse<unknown>>;
    time(): Promise<ConnectorResponse<unknown>>;
    exchangeInfo(options?: Options): Promise<ConnectorResponse<unknown>>;
    newOrder(
      symbol: string,
      side: string,
      type: string,
      options?: Options,
    ): Promise<ConnectorResponse<unknown>>;
    newOrderTest(
      symbol: string,
      side: string,
      type: string,
      options?: Options,
    ): Promise<ConnectorResponse<unknown>>;
    cancelOrder(symbol: string, options?: Options): Promise<ConnectorResponse<unknown>>;
    cancelOpenOrders(symbol: string, options?: Options): Promise<ConnectorResponse<unknown>>;
    cancelAndReplace(
      symbol: string,
      side: string,
      type: string,
      cancelReplaceMode: string,
      options?: Options,
    ): Promise<ConnectorResponse<unknown>>;
    getOrder(symbol: string, options?: Options): Promise<ConnectorResponse<unknown>>;
    openOrders(options?: Options): Promise<ConnectorResponse<unknown>>;
    allOrders(symbol: string, options?: Options): Promise<ConnectorResponse<unknown>>;
    myTrades(symbol: string, options?: Options): Promise<ConnectorResponse<unknown>>;
    account(options?: Options): Promise<ConnectorResponse<unknown>>;
  }
}
