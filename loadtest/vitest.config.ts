import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const k6Stub = fileURLToPath(new URL("./test/k6-stub.ts", import.meta.url));

export default defineConfig({
  resolve: { alias: [{ find: /^k6(\/http)?$/, replacement: k6Stub }] },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 120_000,
  },
});
