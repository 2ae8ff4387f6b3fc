import { z } from "zod";
import type { Meta } from "../../operation";
import { zText } from "../../schemas/common";
import { ZApiKey, ZRole } from "./key.types";

export const ZKeyCreateInput = z
  .strictObject({ name: zText(1, 100), role: ZRole })
  .meta({ example: { name: "till 3, downtown", role: "clerk" } });
export const ZKeyCreateOutput = ZApiKey.extend({
  secret: z.string().meta({
    description: "The bearer secret. Shown this once; only its hash is stored.",
    example: "sk_live_4f9a0c2e7b1d4a6f8e3c5b9d2a7f1e0c",
  }),
});
export const createKeyMeta: Meta = {
  openapi: {
    method: "POST",
    path: "/keys",
    tags: ["keys"],
    summary: "Create an API key",
    description: "Role admin. The answer holds the secret, once.",
  },
  errors: [],
  errorExamples: {
    VALIDATION_FAILED: 'role: Invalid option: expected one of "viewer"|"clerk"|"manager"|"admin"',
  },
  successStatus: 201,
};
