import { z } from "zod";
import type { Meta } from "../../operation";
import { AUTH_ERRORS, ZUuid } from "../../schemas/common";
import { ZMovement } from "../inventory/level.types";

export const ZMovementGetInput = z.strictObject({ id: ZUuid });
export const ZMovementGetOutput = ZMovement;
export const getMovementMeta: Meta = {
  openapi: {
    method: "GET",
    path: "/movements/{id}",
    tags: ["movements"],
    summary: "One ledger row",
    errorResponses: [...AUTH_ERRORS, 404],
  },
};
