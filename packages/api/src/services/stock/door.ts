import {
  applyStockOperations,
  type OperationOutcome,
  type OutcomeRow,
  type Queryable,
  rolledBack,
  type StockOperation,
} from "@stockroom/db";
import type { ProcedureContext, Runtime } from "../../context";
import { type GroupCommitOptions, GroupCommitQueue, type Settled } from "../../lib/group-commit";
import { refusalError } from "./refusals";

/**
 * The door every stock change goes through: one operation in (changes that apply together or
 * not at all), the rows stockroom_apply answered for it out, or the AppError it was refused
 * with. Behind it is always the same statement (packages/db/sql/stock-apply.sql).
 */
export type StockDoor = (operation: StockOperation) => Promise<OutcomeRow[]>;

export type WriteBatching = GroupCommitOptions;

export const DEFAULT_WRITE_BATCHING: WriteBatching = { maxBatch: 64, concurrency: 2 };

function answerOf(outcome: OperationOutcome): OutcomeRow[] {
  if (!outcome.applied) throw refusalError(outcome);
  return outcome.rows;
}

/** Inside the caller's transaction (an Idempotency-Key was sent): one statement, now. */
export const transactionDoor =
  (db: Queryable): StockDoor =>
  async (operation) =>
    answerOf((await applyStockOperations(db, [operation]))[0]!);

const queues = new WeakMap<Runtime, GroupCommitQueue<StockOperation, OutcomeRow[]>>();

/**
 * Outside a transaction: through the runtime's group-commit queue, so operations that arrive
 * while earlier statements run share the next one (one round trip, one commit). Each is
 * judged as if it ran alone, after the ones before it.
 */
export function queueDoor(rt: Runtime): StockDoor {
  let queue = queues.get(rt);
  if (!queue) {
    const db = rt.database.db;
    queue = new GroupCommitQueue<StockOperation, OutcomeRow[]>(
      {
        one: transactionDoor(db),
        async many(operations) {
          const outcomes = await applyStockOperations(db, operations);
          return outcomes.map(
            (o): Settled<OutcomeRow[]> =>
              o.applied ? { ok: true, value: o.rows } : { ok: false, error: refusalError(o) },
          );
        },
        rolledBack,
      },
      rt.writeBatching ?? DEFAULT_WRITE_BATCHING,
      (n) => rt.hooks.writeStatement?.(n),
    );
    queues.set(rt, queue);
  }
  return (operation) => queue.submit(operation);
}

/** The door for an operation's context: its transaction if it has one, else the queue. */
export const stockDoor = (ctx: Pick<ProcedureContext, "db" | "rt" | "inTransaction">): StockDoor =>
  ctx.inTransaction === false ? queueDoor(ctx.rt) : transactionDoor(ctx.db);
