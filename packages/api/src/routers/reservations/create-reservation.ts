import { defineOperation } from "../../operation";
import { createReservation } from "../../services/reservations";
import { stockDoor } from "../../services/stock";
import {
  createReservationMeta,
  ZCreateReservationInput,
  ZCreateReservationOutput,
} from "./create-reservation.types";

export const createReservationOperation = defineOperation({
  name: "reservations.create",
  meta: createReservationMeta,
  input: ZCreateReservationInput,
  output: ZCreateReservationOutput,
  minRole: "clerk",
  kind: "write",
  handler: (ctx, input) => createReservation(ctx.db, stockDoor(ctx), input, ctx.auth.id),
});
