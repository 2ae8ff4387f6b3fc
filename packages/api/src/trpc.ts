import { initTRPC, type TRPCMutationProcedure, type TRPCQueryProcedure } from "@trpc/server";
import type { z } from "zod";
import type { RootContext } from "./context";
import { toAppError } from "./errors";
import type { AnyOperation, Meta, Operation, OperationKind, OperationName } from "./operation";
import { runOperation } from "./runner";

const t = initTRPC
  .context<RootContext>()
  .meta<Meta>()
  .create({
    isDev: false,
    errorFormatter({ shape, error, ctx }) {
      const app = toAppError(error);
      return {
        message: app.detail,
        code: shape.code,
        data: {
          code: app.appCode,
          httpStatus: app.status,
          detail: app.detail,
          requestId: ctx?.requestId ?? "",
          issues: app.issues,
          path: shape.data.path,
          retryAfter: app.retryAfter,
        },
      };
    },
  });

export const createCallerFactory = t.createCallerFactory;

type ErrorShape = typeof t._config.$types.errorShape;

/** The tRPC type of an operation: a query for a read, a mutation otherwise. */
type ProcedureOf<Op> =
  Op extends Operation<OperationName, infer I, infer O, infer K>
    ? [K] extends ["read"]
      ? TRPCQueryProcedure<{ input: z.input<I>; output: z.output<O>; meta: Meta; errorShape: ErrorShape }>
      : TRPCMutationProcedure<{ input: z.input<I>; output: z.output<O>; meta: Meta; errorShape: ErrorShape }>
    : never;

type Namespace<Name> = Name extends `${infer Head}.${string}` ? Head : never;

const procedureType = (kind: OperationKind) => (kind === "read" ? "query" : "mutation");

/**
 * tRPC reads a procedure's input before the first middleware when it has an .input(): a
 * body that is not JSON would be 400 before the key check. So procedures declare none, and
 * this hands the reader itself on as the input, for the runner to call after the key check.
 */
const inputLater = t.middleware(({ getRawInput, next }) => next({ input: getRawInput }));
const runnerProcedure = t.procedure.use(inputLater);

/**
 * The tRPC router, built from the operation table: `products.list` is procedure `list` of
 * router `products`. Every procedure calls the runner with the raw input, so tRPC neither
 * parses nor checks anything itself; the types come from each operation's schemas.
 */
export function createOperationsRouter<const Ops extends readonly AnyOperation[]>(operations: Ops) {
  type Tree = {
    [NS in Namespace<Ops[number]["name"]>]: {
      [Op in Ops[number] as Op["name"] extends `${NS}.${infer Leaf}` ? Leaf : never]: ProcedureOf<Op>;
    };
  };
  const record: { [namespace: string]: { [name: string]: unknown } } = {};
  for (const op of operations) {
    const [namespace, name, ...rest] = op.name.split(".");
    if (!namespace || !name || rest.length > 0) throw new Error(`${op.name}: name it <namespace>.<name>`);
    const resolve = ({ ctx, input }: { ctx: RootContext; input: unknown }) =>
      runOperation(op, ctx, input as () => Promise<unknown>);
    record[namespace] ??= {};
    record[namespace][name] =
      procedureType(op.kind) === "query" ? runnerProcedure.query(resolve) : runnerProcedure.mutation(resolve);
  }
  return t.router(record as unknown as Tree);
}

/**
 * The same table as a router with the real schemas and meta, for trpc-to-openapi to read.
 * It only describes: it is never served, and its procedures are never called.
 */
export function createDocumentRouter(operations: readonly AnyOperation[]) {
  const record: { [namespace: string]: { [name: string]: unknown } } = {};
  const unreachable = (): never => {
    throw new Error("the document router is not served");
  };
  for (const op of operations) {
    const [namespace = "", name = ""] = op.name.split(".");
    const procedure = t.procedure.meta(op.meta).input(op.input).output(op.output);
    record[namespace] ??= {};
    record[namespace][name] =
      procedureType(op.kind) === "query" ? procedure.query(unreachable) : procedure.mutation(unreachable);
  }
  return t.router(record as never);
}
