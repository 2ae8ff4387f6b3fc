import { z } from "zod";
import type { Meta } from "../../operation";
import { ZStoreId, ZUuid } from "../../schemas/common";
import { ZEvent, ZEventCursor, ZEventTypeList } from "./event.types";

export const ZListEventsInput = z
  .strictObject({
    after: ZEventCursor.optional(),
    types: ZEventTypeList.optional(),
    productId: ZUuid.optional(),
    storeId: ZStoreId.optional(),
    limit: z.number().int().min(1).max(100).default(20),
  })
  .default({ limit: 20 });
export const ZListEventsOutput = z.object({
  items: z.array(ZEvent),
  nextCursor: z.string().nullable().meta({
    description:
      "Pass as `after` for the next page: the last item's sequence, or `after` again when nothing new has been published; null only before the first event",
    example: "1042",
  }),
});
export const listEventsMeta: Meta = {
  openapi: {
    method: "GET",
    path: "/events",
    tags: ["events"],
    summary: "The event feed",
    description:
      "Oldest first, in one total order (`sequence`) that agrees with each stock level's ledger. Paging with `after` gives every event exactly once, also while the transactions that wrote them commit out of order: an event is published (given its sequence) only once nothing can still appear before it. Events are kept STOCKROOM_EVENT_RETENTION_DAYS days (default 30).",
  },
  errors: [],
  errorExamples: { VALIDATION_FAILED: "after: Must be a sequence number (digits)" },
};
