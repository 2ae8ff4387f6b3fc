/** Stable codes, so the CLI can pick exit codes and advice without parsing messages. */
export type BackupErrorCode =
  | "TOOL_MISSING"
  | "DUMP_FAILED"
  | "RESTORE_FAILED"
  | "CHECKSUM_MISMATCH"
  | "CHECKSUM_MISSING"
  | "NOT_A_BACKUP"
  | "TARGET_NOT_EMPTY"
  | "FILE_NOT_FOUND"
  | "BAD_OPTION"
  | "VERIFY_FAILED";

/** A backup/restore failure with a message an operator can act on (no stack trace needed). */
export class BackupError extends Error {
  constructor(
    readonly code: BackupErrorCode,
    message: string,
    readonly advice?: string,
  ) {
    super(message);
    this.name = "BackupError";
  }
}
