import { defineOperation } from "../../operation";
import { extendReservation } from "../../services/reservations";
import {
  extendReservationMeta,
  ZExtendReservationInput,
  ZExtendReservationOutput,
} from "./extend-reservation.types";

export const extendReservationOperation = defineOperation({
  name: "reservations.extend",
  meta: extendReservationMeta,
  input: ZExtendReservationInput,
  output: ZExtendReservationOutput,
  minRole: "clerk",
  kind: "write",
  handler: (ctx, input) => extendReservation(ctx.db, input.id, input.ttlSeconds),
});
