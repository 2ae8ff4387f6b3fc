import { z } from "zod";
import type { Meta } from "../../operation";
import { AUTH_ERRORS } from "../../schemas/common";
import { ZStoreId } from "./store.types";

export const ZStoreDeleteInput = z.strictObject({ id: ZStoreId });
export const ZStoreDeleteOutput = z.void();
export const deleteStoreMeta: Meta = {
  openapi: {
    method: "DELETE",
    path: "/stores/{id}",
    tags: ["stores"],
    summary: "Delete a store",
    description: "Role manager. Refused with STORE_NOT_EMPTY while the store holds stock.",
    errorResponses: [...AUTH_ERRORS, 404, 409, 422],
  },
  successStatus: 204,
};
