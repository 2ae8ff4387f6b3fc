import { defineOperation } from "../../operation";
import { commitReservation } from "../../services/reservations";
import { stockDoor } from "../../services/stock";
import {
  commitReservationMeta,
  ZCommitReservationInput,
  ZCommitReservationOutput,
} from "./commit-reservation.types";

export const commitReservationOperation = defineOperation({
  name: "reservations.commit",
  meta: commitReservationMeta,
  input: ZCommitReservationInput,
  output: ZCommitReservationOutput,
  minRole: "clerk",
  kind: "write",
  handler: (ctx, input) => commitReservation(ctx.db, stockDoor(ctx), input.id, input.lines, ctx.auth.id),
});
