import { z } from "zod";
import type { Meta } from "../../operation";
import { ZApiKey } from "./key.types";

export const ZKeyListInput = z.strictObject({}).optional();
export const ZKeyListOutput = z.object({ items: z.array(ZApiKey) });
export const listKeysMeta: Meta = {
  openapi: {
    method: "GET",
    path: "/keys",
    tags: ["keys"],
    summary: "List API keys",
    description: "Role admin. Revoked keys are listed too, with `revokedAt`. Secrets are never shown again.",
  },
  errors: [],
  errorExamples: { VALIDATION_FAILED: '(root): Unrecognized key: "role"' },
};
