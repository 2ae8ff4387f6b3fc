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
  .meta({ id: "ApiKey" });
export type TApiKey = z.infer<typeof ZApiKey>;
