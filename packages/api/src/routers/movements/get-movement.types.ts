import { z } from "zod";
import type { Meta } from "../../operation";
import { ZUuid } from "../../schemas/common";
import { ZMovement } from "../inventory/level.types";

export const ZMovementGetInput = z.strictObject({ id: ZUuid });
export const ZMovementGetOutput = ZMovement;
export const getMovementMeta: Meta = {
  openapi: {
    method: "GET",
    path: "/movements/{id}",
    tags: ["movements"],
    summary: "One ledger row",
  },
  errors: ["NOT_FOUND"],
  errorExamples: {
    VALIDATION_FAILED: "id: Must be a UUID",
    NOT_FOUND: "Movement 5c0e8a2f-7b41-4f6d-8e93-1a2b3c4d5e6f not found",
  },
};
