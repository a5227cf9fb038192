import type { AmendOrder } from './commands.ts';
import { ResultCode } from './result-codes.ts';
import type { CommandResult } from './results.ts';
import type { Tx } from './risk.ts';

export function amendOrder(_tx: Tx, _cmd: AmendOrder): CommandResult {
  return { code: ResultCode.UNKNOWN_COMMAND };
}
