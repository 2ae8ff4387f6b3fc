export {
  checkInvariants,
  type InvariantReport,
  invariantProblems,
  type LedgerDiscrepancy,
  type QueryFn,
} from "../invariants";
export { type BackupOptions, type BackupResult, createBackup } from "./dump";
export { BACKUP_ENV_VARIABLES } from "./env";
export { BackupError, type BackupErrorCode } from "./errors";
export {
  assertChecksum,
  type BackupEntry,
  backupFileName,
  type ChecksumStatus,
  checksumPath,
  checksumStatus,
  FAILED_SUFFIX,
  isGood,
  listBackups,
  parseBackupFileName,
  sha256File,
} from "./files";
export { type BackupHeader, readHeader } from "./header";
export { rowCounts } from "./inspect";
export { type RestoreOptions, type RestoreResult, restoreBackup } from "./restore";
export {
  applyRetention,
  planRetention,
  type RetentionPolicy,
  type RetentionResult,
  validatePolicy,
} from "./retention";
export {
  assertSchedule,
  type BackupScheduler,
  type CycleOptions,
  type CycleReport,
  runBackupCycle,
  type SchedulerOptions,
  startBackupScheduler,
} from "./schedule";
export { type DatabaseTarget, describeTarget, parseTarget, redactUrl, targetFromEnv } from "./target";
export {
  type ScratchTarget,
  scratchFromEnv,
  type VerifyOptions,
  type VerifyReport,
  verdict,
  verifyBackup,
} from "./verify";
