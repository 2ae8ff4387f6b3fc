import { defineOperation } from "../../operation";
import { getReservation } from "../../services/reservations";
import { getReservationMeta, ZGetReservationInput, ZGetReservationOutput } from "./get-reservation.types";

export const getReservationOperation = defineOperation({
  name: "reservations.get",
  meta: getReservationMeta,
  input: ZGetReservationInput,
  output: ZGetReservationOutput,
  minRole: "viewer",
  kind: "read",
  handler: (ctx, input) => getReservation(ctx.db, input.id),
});
