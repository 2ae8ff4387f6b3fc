import { defineGroup } from "../../lib/command";

export default defineGroup(
  {
    name: "db",
    description:
      "Database operations against DATABASE_URL (PostgreSQL) or STOCKROOM_DATA_DIR (embedded PGlite)",
  },
  {
    backup: () => import("./backup.ts").then((m) => m.default),
    backups: () => import("./backups.ts").then((m) => m.default),
    restore: () => import("./restore.ts").then((m) => m.default),
    verify: () => import("./verify.ts").then((m) => m.default),
    migrate: () => import("./migrate.ts").then((m) => m.default),
    seed: () => import("./seed.ts").then((m) => m.default),
  },
);
