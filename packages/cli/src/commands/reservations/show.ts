import { reservationArg } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { printReservation } from "./columns";

export default defineApiCommand({
  meta: { name: "show", description: "One reservation and its lines" },
  args: { ...reservationArg },
  async run({ args, client, out }) {
    await printReservation(client, out, await client.reservations.get({ id: args.id }));
  },
});
