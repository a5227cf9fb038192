// Column shapes shared by the tables. Money is exact: an amount of an asset is an integer number of 1e-8 units
// in numeric(38, 0) (the core bounds every total below 10^30), read and written as bigint. Prices in ticks,
// quantities in lots, ids and ms timestamps are bigint columns read as numbers (the core keeps them below 2^53).

import { bigint, numeric } from 'drizzle-orm/pg-core';

/** An amount of an asset in units of 1e-8. */
export const units = (name: string) => numeric(name, { precision: 38, scale: 0, mode: 'bigint' });

/** An integer the core keeps as a safe JavaScript number: ids, ticks, lots, ms timestamps. */
export const int53 = (name: string) => bigint(name, { mode: 'number' });
