import type { CancelReplace } from './commands.ts';
import { ResultCode } from './result-codes.ts';
import type { CommandResult } from './results.ts';
import type { Tx } from './risk.ts';

export function cancelReplace(_tx: Tx, _cmd: CancelReplace): CommandResult {
  return { code: ResultCode.UNKNOWN_COMMAND };
}
