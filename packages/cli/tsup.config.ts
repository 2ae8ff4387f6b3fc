import { defineConfig } from "tsup";

export default defineConfig({
  entry: { main: "src/main.ts" },
  format: ["esm"],
  platform: "node",
  target: "node20",
  // Each command stays its own chunk, loaded when named.
  splitting: true,
  clean: true,
  sourcemap: true,
  // The SDK is a workspace package shipped as TypeScript source: bundle it. The db commands'
  // package (and its native-ish PGlite) stays out; bin/stockroom.mjs runs `db` from source.
  noExternal: ["@stockroom/sdk"],
  external: ["@stockroom/db", /^@stockroom\/db\//],
});
