import type { RouterInputs } from "@stockroom/sdk";
import { pagingArgs, pagingFrom } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { UsageError } from "../../lib/exit";
import { footer } from "../products/list";

type Status = NonNullable<RouterInputs["webhooks"]["deliveries"]["status"]>;
const STATUSES = ["pending", "delivered", "failed"] as const satisfies readonly Status[];

export default defineApiCommand({
  meta: {
    name: "deliveries",
    description: "An endpoint's deliveries, newest event first, with their attempts",
  },
  args: {
    id: { type: "positional", description: "Endpoint id", required: true },
    status: { type: "string", description: `Only this status: ${STATUSES.join(", ")}` },
    ...pagingArgs,
  },
  async run({ args, client, out }) {
    if (args.status !== undefined && !STATUSES.includes(args.status as Status))
      throw new UsageError(`--status must be one of ${STATUSES.join(", ")}, got '${args.status}'`);
    const page = await client.webhooks.deliveries({
      id: args.id,
      ...(args.status ? { status: args.status as Status } : {}),
      ...pagingFrom(args),
    });
    out.result(page, () => {
      out.table(page.items, [
        { header: "event", value: (d) => d.eventId },
        { header: "seq", value: (d) => d.sequence },
        { header: "type", value: (d) => d.type },
        { header: "status", value: (d) => d.status },
        {
          header: "attempts",
          value: (d) => d.attempts.map((a) => a.statusCode ?? a.error ?? "error").join(" "),
        },
        { header: "next", value: (d) => d.nextAttemptAt },
      ]);
      footer(out, page);
    });
  },
});
