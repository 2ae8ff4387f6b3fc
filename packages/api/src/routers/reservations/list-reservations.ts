import { defineOperation } from "../../operation";
import { listReservations } from "../../services/reservations";
import {
  listReservationsMeta,
  ZListReservationsInput,
  ZListReservationsOutput,
} from "./list-reservations.types";

export const listReservationsOperation = defineOperation({
  name: "reservations.list",
  meta: listReservationsMeta,
  input: ZListReservationsInput,
  output: ZListReservationsOutput,
  minRole: "viewer",
  kind: "read",
  handler: (ctx, input) => listReservations(ctx.db, input),
});
