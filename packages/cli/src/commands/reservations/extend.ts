import { parseIntArg, reservationArg } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { printReservation } from "./columns";

export default defineApiCommand({
  meta: {
    name: "extend",
    description: "Keep an active reservation longer: it expires --ttl seconds from now",
  },
  args: {
    ...reservationArg,
    ttl: {
      type: "string",
      description: "Seconds from now until it expires, 1..86400",
      required: true,
      valueHint: "seconds",
    },
  },
  async run({ args, client, out }) {
    const ttlSeconds = parseIntArg(args.ttl, "--ttl", { min: 1, max: 86_400 })!;
    const r = await client.reservations.extend({ id: args.id, ttlSeconds });
    await printReservation(client, out, r, `Extended: expires ${r.expiresAt}`);
  },
});
