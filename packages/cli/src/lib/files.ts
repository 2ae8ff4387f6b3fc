/**
 * Input files named on the command line.
 *
 *   assertReadableFile(path)   a UsageError (exit 2) naming the file unless it is a regular file
 *                              that exists; "-" (stdin) is the caller's business
 */
import { stat } from "node:fs/promises";
import { UsageError } from "./exit";

export async function assertReadableFile(file: string): Promise<void> {
  try {
    if (!(await stat(file)).isFile()) throw new UsageError(`Cannot read ${file}: not a file`);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      `Cannot read ${file}: ${code === "ENOENT" ? "no such file" : (err as Error).message}`,
    );
  }
}
