import { z } from "zod";
import type { Meta } from "../../operation";
import { ZUuid } from "../../schemas/common";

export const ZKeyRevokeInput = z.strictObject({ id: ZUuid });
export const ZKeyRevokeOutput = z.void();
export const revokeKeyMeta: Meta = {
  openapi: {
    method: "DELETE",
    path: "/keys/{id}",
    tags: ["keys"],
    summary: "Revoke an API key",
    description:
      "Role admin. Takes effect at once on the replica that served it and within the key cache TTL (default 5 s) on every other replica.",
  },
  errors: ["NOT_FOUND"],
  successStatus: 204,
};
