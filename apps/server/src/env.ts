import type { RootContext } from "@stockroom/api";

export type AppEnv = {
  Variables: {
    requestId: string;
    responseHeaders: Headers;
    log: RootContext["log"];
    route: string;
  };
};
