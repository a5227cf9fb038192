// The edge's clock as a port, so that timing rules (recvWindow, cache lifetimes) are tested with a fake one.

export interface Clock {
  /** Milliseconds since the Unix epoch (may carry a fraction). */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
