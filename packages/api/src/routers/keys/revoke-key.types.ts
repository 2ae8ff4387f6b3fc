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
  errorExamples: {
    VALIDATION_FAILED: "id: Must be a UUID",
    NOT_FOUND: "API key 9d4b2c1a-6e5f-4a3b-8c7d-0e1f2a3b4c5d not found",
  },
  successStatus: 204,
};
