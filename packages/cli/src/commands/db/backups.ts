import { listBackups } from "@stockroom/db/backup";
import { defineLocalCommand } from "../../lib/command";
import { dirArg, formatAge, formatBytes, guarded } from "./shared";

export default defineLocalCommand({
  meta: {
    name: "backups",
    description: "List backups in DIR, newest first, with size, age and checksum status",
  },
  args: { ...dirArg },
  async run({ args, out }) {
    const dir = args.dir || "./backups";
    const entries = await guarded(() => listBackups(dir));
    const rows = entries.map((e) => ({
      name: e.name,
      createdAt: e.createdAt.toISOString(),
      size: e.size,
      ageSeconds: Math.round(e.ageMs / 1000),
      checksum: e.checksum,
      failedVerification: e.failedVerification,
    }));
    out.result(rows, () => {
      out.table(entries, [
        { header: "name", value: (e) => e.name },
        { header: "created (utc)", value: (e) => e.createdAt.toISOString().replace("T", " ").slice(0, 19) },
        { header: "size", value: (e) => formatBytes(e.size), align: "right" },
        { header: "age", value: (e) => formatAge(e.ageMs), align: "right" },
        {
          header: "checksum",
          value: (e) => (e.failedVerification ? `${e.checksum}, failed verify` : e.checksum),
        },
      ]);
    });
    const damaged = entries.filter((e) => e.checksum !== "ok");
    if (damaged.length) out.warn(`${damaged.length} backup(s) fail their checksum; do not restore them`);
    if (entries.length === 0) out.note(`No backups in ${dir}`);
  },
});
