import type { AppRouter } from "@stockroom/api";
import type {
  AnyTRPCMutationProcedure,
  AnyTRPCProcedure,
  AnyTRPCQueryProcedure,
  inferProcedureInput,
  inferTransformedProcedureOutput,
  TRPCBuiltRouter,
  TRPCRouterRecord,
} from "@trpc/server";

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

/** The router's procedures, by namespace, through tRPC's public types. */
export type AppRouterRecord = AppRouter extends TRPCBuiltRouter<infer _Root, infer R> ? R : never;

/** The input a procedure takes; tRPC writes an optional one as `… | void`, we as `… | undefined`. */
type Input<P extends AnyTRPCProcedure> =
  inferProcedureInput<P> extends infer I ? (undefined extends I ? Exclude<I, void> | undefined : I) : never;
type Output<P extends AnyTRPCProcedure> = inferTransformedProcedureOutput<AppRouter, P>;

export type QueryMethod<P extends AnyTRPCProcedure> = (
  ...args: Args<Input<P>, CallOptions>
) => Promise<Output<P>>;
export type MutationMethod<P extends AnyTRPCProcedure> = (
  ...args: Args<Input<P>, MutationOptions>
) => Promise<Output<P>>;

type DecorateProcedure<P extends AnyTRPCProcedure> = P extends AnyTRPCQueryProcedure
  ? QueryMethod<P>
  : P extends AnyTRPCMutationProcedure
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
  [K in keyof R]: R[K] extends AnyTRPCQueryProcedure
    ? "query"
    : R[K] extends AnyTRPCMutationProcedure
      ? "mutation"
      : R[K] extends TRPCRouterRecord
        ? ProcedureKinds<R[K]>
        : never;
};

export type StockroomProcedures = DecorateRecord<AppRouterRecord>;

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
export type RouterInputs = InputsOf<AppRouterRecord>;
/** Outputs of every procedure: `RouterOutputs["products"]["list"]["items"][number]`. */
export type RouterOutputs = OutputsOf<AppRouterRecord>;
