export { startTestServer, type TestServer } from "@stockroom/server/testing";
