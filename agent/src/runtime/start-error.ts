// Turns an OCI runtime's start failure into what Docker reports: its message chain and the exit
// code the CLI returns (127 command not found, 126 not executable, 128 anything else).
import { EngineError, type ErrorKind } from '../errors.ts';

/** A start failure: Docker's message plus the exit code `docker run`/`docker exec` should return. */
export class StartError extends EngineError {
  constructor(kind: ErrorKind, message: string, readonly exitCode: number) {
    super(kind, message);
  }
}
export interface StartErrorInfo {
  error: string;
  exitCode: number;
  kind: 'InvalidArgument' | 'Internal';
}

export function startErrorExitCode(msg: string): number {
  if (/executable file not found|no such file or directory|not found in \$PATH/i.test(msg)) return 127;
  if (/permission denied|exec format error|is a directory/i.test(msg)) return 126;
  return 128;
}

export function runtimeStartError(runtimeMsg: string, phase: 'create' | 'exec' = 'create'): StartErrorInfo {
  const msg = runtimeMsg.replace(/^(runc|crun) (run|exec|create) failed: /, '').trim();
  const exitCode = startErrorExitCode(msg);
  const error =
    phase === 'create'
      ? `failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: ${msg}: unknown`
      : `OCI runtime exec failed: exec failed: ${msg}: unknown`;
  return { error, exitCode, kind: exitCode === 128 ? 'Internal' : 'InvalidArgument' };
}
