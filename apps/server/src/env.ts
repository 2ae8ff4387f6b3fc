import type { RootContext } from "@stockroom/api";

export type AppEnv = {
  Variables: {
    requestId: string;
    responseHeaders: Map<string, string>;
    /** Set when the answer already carries the shell headers (request id, security, responseHeaders). */
    headersDone: boolean;
    log: RootContext["log"];
    route: string;
  };
};
