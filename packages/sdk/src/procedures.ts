import type { AppRouterRecord, ProcedureKinds } from "./types";

/**
 * Which procedures exist and whether each is a query or a mutation. The SDK imports only
 * types from the API, so the kind has to be known at run time from somewhere; `satisfies`
 * ties this table to AppRouter: a procedure added, removed or changed in kind on the server
 * is a compile error here until the table follows (and a test compares it with the router).
 */
export const PROCEDURES = {
  products: {
    list: "query",
    get: "query",
    create: "mutation",
    update: "mutation",
    delete: "mutation",
    upsertMany: "mutation",
  },
  stores: {
    list: "query",
    get: "query",
    create: "mutation",
    update: "mutation",
    delete: "mutation",
  },
  inventory: {
    listByStore: "query",
    setLevel: "mutation",
    adjust: "mutation",
    transfer: "mutation",
    alerts: "query",
    audit: "query",
  },
  reservations: {
    list: "query",
    get: "query",
    create: "mutation",
    extend: "mutation",
    release: "mutation",
    commit: "mutation",
  },
  shipments: {
    list: "query",
    get: "query",
    create: "mutation",
    ship: "mutation",
    receive: "mutation",
    cancel: "mutation",
    close: "mutation",
  },
  movements: {
    list: "query",
    get: "query",
  },
  events: {
    list: "query",
  },
  webhooks: {
    create: "mutation",
    list: "query",
    get: "query",
    update: "mutation",
    delete: "mutation",
    rotateSecret: "mutation",
    test: "mutation",
    deliveries: "query",
    retry: "mutation",
  },
  keys: {
    list: "query",
    create: "mutation",
    revoke: "mutation",
  },
} as const satisfies ProcedureKinds<AppRouterRecord>;
