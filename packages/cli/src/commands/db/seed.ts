import { createDatabase, isEmpty, seedDemo } from "@stockroom/db";
import { describeTarget } from "@stockroom/db/backup";
import { defineLocalCommand } from "../../lib/command";
import { CliFailure } from "../../lib/exit";
import { cliError, databaseFromEnv, isDataDirInUse } from "./shared";

export default defineLocalCommand({
  meta: {
    name: "seed",
    description: "Migrate, then load the demo stores, products and stock (only into an empty database)",
  },
  async run({ out }) {
    const target = databaseFromEnv();
    const database = await createDatabase(
      target.kind === "postgres"
        ? { url: target.url, poolSize: 1 }
        : { dataDir: target.dataDir, purpose: "stockroom db seed" },
    ).catch((err: Error) => {
      if (isDataDirInUse(err)) throw cliError(err);
      throw new CliFailure("UNAVAILABLE", `Cannot open ${describeTarget(target)}: ${err.message}`);
    });
    try {
      await database.migrate();
      if (!(await isEmpty(database.db))) {
        out.result({ seeded: false, reason: "not empty" }, () =>
          out.line(`${describeTarget(target)} already holds products or stores; nothing was seeded`),
        );
        return;
      }
      const seeded = await seedDemo(database.db);
      out.result({ seeded: true, ...seeded }, () =>
        out.line(
          `Seeded ${describeTarget(target)}: ${seeded.stores} stores, ${seeded.products} products, ${seeded.levels} stock levels`,
        ),
      );
    } finally {
      await database.close();
    }
  },
});
