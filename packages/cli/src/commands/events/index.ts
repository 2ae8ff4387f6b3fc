import { defineGroup } from "../../lib/command";

export default defineGroup(
  { name: "events", description: "The event feed: stock changes, crossings of the minimum, reservations" },
  { tail: () => import("./tail.ts").then((m) => m.default) },
);
