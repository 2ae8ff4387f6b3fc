import { defineOperation } from "../../operation";
import { listEvents } from "../../services/events";
import { listEventsMeta, ZListEventsInput, ZListEventsOutput } from "./list-events.types";

export const listEventsOperation = defineOperation({
  name: "events.list",
  meta: listEventsMeta,
  input: ZListEventsInput,
  output: ZListEventsOutput,
  minRole: "viewer",
  kind: "read",
  // It publishes what is ready before reading (a write): the primary only.
  consistency: "strong",
  handler: (ctx, input) => listEvents(ctx.db, input),
});
