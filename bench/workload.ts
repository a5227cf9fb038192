// The shared benchmark workloads (../shared/bench/workload.mjs, outside this repository), typed.

export type Op =
  | { op: 'limit'; id: number; user: number; side: 'buy' | 'sell'; price: number; qty: number; tif: string }
  | { op: 'market'; id: number; user: number; side: 'buy' | 'sell'; qty: number }
  | { op: 'cancel'; id: number; user: number };

export interface WorkloadMarket {
  symbol: string;
  base: string;
  quote: string;
  tickSize: string;
  stepSize: string;
  users: number;
  balance: Record<string, string>;
}

export const WORKLOADS = ['steady', 'deep', 'sweep'] as const;
export type Workload = (typeof WORKLOADS)[number];

interface WorkloadModule {
  generate(name: string, ops: number, seed: number): Op[];
  MARKET: WorkloadMarket;
}

const workloadUrl = new URL('../../shared/bench/workload.mjs', import.meta.url);
export const { generate, MARKET } = (await import(workloadUrl.href)) as WorkloadModule;
