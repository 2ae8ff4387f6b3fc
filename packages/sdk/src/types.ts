import type { AppRouter } from "@stockroom/api";
import type { AnyTRPCProcedure, inferTransformedProcedureOutput, TRPCRouterRecord } from "@trpc/server";

/** Options every call takes. */
export interface CallOptions {
  /** Cancels the call, retries and backoff included. */
  signal?: AbortSignal;
}

/** Options a mutation takes. */
export interface MutationOptions extends CallOptions {
  /**
   * Sent as the Idempotency-Key header (1..255 chars). Default: a UUID made once per call
   * and reused by its retries. Pass your own to make a call safe to repeat across restarts.
   */
  idempotencyKey?: string;
}

type Args<TInput, TOptions> = undefined extends TInput
  ? [input?: TInput, options?: TOptions]
  : [input: TInput, options?: TOptions];

type Input<P extends AnyTRPCProcedure> = P["_def"]["$types"]["input"];
type Output<P extends AnyTRPCProcedure> = inferTransformedProcedureOutput<AppRouter, P>;

export type QueryMethod<P extends AnyTRPCProcedure> = (
  ...args: Args<Input<P>, CallOptions>
) => Promise<Output<P>>;
export type MutationMethod<P extends AnyTRPCProcedure> = (
  ...args: Args<Input<P>, MutationOptions>
) => Promise<Output<P>>;

type DecorateProcedure<P extends AnyTRPCProcedure> = P["_def"]["type"] extends "query"
  ? QueryMethod<P>
  : P["_def"]["type"] extends "mutation"
    ? MutationMethod<P>
    : never;

/** A router record turned into namespaces of plain async methods. */
export type DecorateRecord<R extends TRPCRouterRecord> = {
  [K in keyof R]: R[K] extends AnyTRPCProcedure
    ? DecorateProcedure<R[K]>
    : R[K] extends TRPCRouterRecord
      ? DecorateRecord<R[K]>
      : never;
};

/** The kind ("query" | "mutation") of every procedure, in the router's shape. */
export type ProcedureKinds<R extends TRPCRouterRecord> = {
  [K in keyof R]: R[K] extends AnyTRPCProcedure
    ? R[K]["_def"]["type"]
    : R[K] extends TRPCRouterRecord
      ? ProcedureKinds<R[K]>
      : never;
};

export type StockroomProcedures = DecorateRecord<AppRouter["_def"]["record"]>;

type InputsOf<R extends TRPCRouterRecord> = {
  [K in keyof R]: R[K] extends AnyTRPCProcedure
    ? Input<R[K]>
    : R[K] extends TRPCRouterRecord
      ? InputsOf<R[K]>
      : never;
};
type OutputsOf<R extends TRPCRouterRecord> = {
  [K in keyof R]: R[K] extends AnyTRPCProcedure
    ? Output<R[K]>
    : R[K] extends TRPCRouterRecord
      ? OutputsOf<R[K]>
      : never;
};

/** Inputs of every procedure, as the methods take them: `RouterInputs["products"]["create"]`. */
export type RouterInputs = InputsOf<AppRouter["_def"]["record"]>;
/** Outputs of every procedure: `RouterOutputs["products"]["list"]["items"][number]`. */
export type RouterOutputs = OutputsOf<AppRouter["_def"]["record"]>;
