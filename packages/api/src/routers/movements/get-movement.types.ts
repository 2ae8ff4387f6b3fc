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
};
