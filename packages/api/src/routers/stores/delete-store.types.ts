import { z } from "zod";
import type { Meta } from "../../operation";
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
  },
  errors: ["NOT_FOUND", "STORE_NOT_EMPTY"],
  successStatus: 204,
};
