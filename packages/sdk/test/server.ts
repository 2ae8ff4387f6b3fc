export { startTestServer, type TestServer, testBackends } from "@stockroom/server/testing";
