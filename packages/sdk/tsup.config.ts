import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts"],
  format: ["esm", "cjs"],
  target: "es2022",
  platform: "neutral",
  clean: true,
  sourcemap: true,
  // One self-contained d.ts: AppRouter's types are inlined from the workspace api package,
  // which a consumer cannot install. @trpc/server stays an import (a declared dependency).
  dts: { resolve: ["@stockroom/api", /^\.{1,2}\//], compilerOptions: { composite: false } },
  tsconfig: "tsconfig.build.json",
});
