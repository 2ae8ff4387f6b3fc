import { z } from "zod";
import { ZStoreId, ZTimestamp, zText } from "../../schemas/common";

export const ZStore = z
  .object({ id: z.string(), name: z.string(), createdAt: ZTimestamp, updatedAt: ZTimestamp })
  .meta({
    id: "Store",
    example: {
      id: "store1",
      name: "Downtown",
      createdAt: "2026-01-05T10:00:00.000Z",
      updatedAt: "2026-01-05T10:00:00.000Z",
    },
  });
export const ZStoreName = zText(1, 255);
export { ZStoreId };
export type TStore = z.infer<typeof ZStore>;
