/**
 * Exit codes and the errors that choose them.
 *
 *   EXIT.OK (0)            success
 *   EXIT.API (1)           the API answered with an error (a StockroomError with a status), or a
 *                          domain failure found by the CLI (rows that failed an import, say)
 *   EXIT.USAGE (2)         bad arguments, unknown command or option, missing file, missing key
 *   EXIT.UNREACHABLE (3)   the server could not be reached (NETWORK_ERROR, TIMEOUT)
 *
 *   throw new UsageError("--qty must be a whole number")       → exit 2, usage hint
 *   throw new CliFailure("IMPORT_FAILED", "3 rows failed", { hint }) → exit 1 (or options.exitCode)
 *   exitCodeFor(err)   the code any thrown value maps to (see errors.ts reportError)
 */
import { isStockroomError } from "@stockroom/sdk";

export const EXIT = { OK: 0, API: 1, USAGE: 2, UNREACHABLE: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The command line itself is wrong: exit 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** A failure the CLI detected itself, printed as `error CODE: detail`. */
export class CliFailure extends Error {
  override readonly name = "CliFailure";
  readonly hint?: string;
  readonly exitCode: ExitCode;
  constructor(
    readonly code: string,
    readonly detail: string,
    options: { hint?: string; exitCode?: ExitCode } = {},
  ) {
    super(`${code}: ${detail}`);
    this.hint = options.hint;
    this.exitCode = options.exitCode ?? EXIT.API;
  }
}

/** citty's own parse errors (unknown command, missing positional, bad enum value). */
export function isCittyUsageError(err: unknown): err is Error & { code?: string } {
  return err instanceof Error && err.name === "CLIError";
}

export function exitCodeFor(err: unknown): ExitCode {
  if (err instanceof UsageError || isCittyUsageError(err)) return EXIT.USAGE;
  if (err instanceof CliFailure) return err.exitCode;
  if (isStockroomError(err)) return err.status === null ? EXIT.UNREACHABLE : EXIT.API;
  return EXIT.API;
}
