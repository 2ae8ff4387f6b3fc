import { defineOperation } from "../../operation";
import { releaseReservation } from "../../services/reservations";
import { stockDoor } from "../../services/stock";
import {
  releaseReservationMeta,
  ZReleaseReservationInput,
  ZReleaseReservationOutput,
} from "./release-reservation.types";

export const releaseReservationOperation = defineOperation({
  name: "reservations.release",
  meta: releaseReservationMeta,
  input: ZReleaseReservationInput,
  output: ZReleaseReservationOutput,
  minRole: "clerk",
  kind: "write",
  handler: (ctx, input) => releaseReservation(ctx.db, stockDoor(ctx), input.id, ctx.auth.id),
});
