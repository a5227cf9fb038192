// What a command of the admin CLI is: words that name it, its arguments and options, the admin API request it
// makes and how the answer reads. A command only maps: args.ts parses the command line, http.ts makes the call.

import type { Method } from './http.ts';

export interface OptionSpec {
  /** What the value is, in the help: "DECIMAL", "SYMBOL". */
  value: string;
  description: string;
  required?: boolean;
  default?: string;
}

export interface Input {
  args: string[];
  options: Record<string, string | undefined>;
}

export interface ApiRequest {
  method: Method;
  path: string;
  body?: unknown;
}

export interface Command {
  /** The words that name it: "markets create". */
  name: string;
  summary: string;
  /** Positional arguments, in order, all required. */
  args?: string[];
  options?: Record<string, OptionSpec>;
  request(input: Input): ApiRequest | Promise<ApiRequest>;
  show(data: never, input: Input): string;
}

/** A command line that cannot be run as given: the CLI prints it with the usage and exits 64. */
export class UsageError extends Error {}
