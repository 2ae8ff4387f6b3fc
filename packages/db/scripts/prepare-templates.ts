// Makes (or finds) both PGlite templates, so no later start or test runs initdb.
import { migrationsFolder } from "../src/client";
import { pgliteTemplate } from "../src/pglite-template";

await pgliteTemplate("migrated", migrationsFolder);
