import { z } from "zod";
import { ZTimestamp, ZUuid } from "../../schemas/common";

export const ZRole = z.enum(["viewer", "clerk", "manager", "admin"]);
export const ZApiKey = z
  .object({
    id: ZUuid,
    name: z.string(),
    role: ZRole,
    prefix: z.string(),
    createdAt: ZTimestamp,
    lastUsedAt: ZTimestamp.nullable(),
    revokedAt: ZTimestamp.nullable(),
  })
  .meta({
    id: "ApiKey",
    example: {
      id: "9d4b2c1a-6e5f-4a3b-8c7d-0e1f2a3b4c5d",
      name: "till 3, downtown",
      role: "clerk",
      prefix: "sk_live_4f9a",
      createdAt: "2026-01-05T09:00:00.000Z",
      lastUsedAt: "2026-01-05T10:15:00.000Z",
      revokedAt: null,
    },
  });
export type TApiKey = z.infer<typeof ZApiKey>;
