import type { StockroomError } from "../src/index";

export { startTestServer, type TestServer, testBackends } from "@stockroom/server/testing";

/** The StockroomError a call rejects with; fails the test if it resolves. */
export const caught = (p: Promise<unknown>) =>
  p.then(
    () => {
      throw new Error("expected a StockroomError");
    },
    (e: unknown) => e as StockroomError,
  );
