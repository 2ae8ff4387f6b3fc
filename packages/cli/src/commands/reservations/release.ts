import { reservationArg } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { printReservation } from "./columns";

export default defineApiCommand({
  meta: { name: "release", description: "Give a reservation's units back (available again)" },
  args: { ...reservationArg },
  async run({ args, client, out }) {
    const r = await client.reservations.release({ id: args.id });
    await printReservation(client, out, r, `Released: its units are available in ${r.storeId} again`);
  },
});
