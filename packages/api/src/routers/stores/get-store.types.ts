import { z } from "zod";
import { AUTH_ERRORS } from "../../schemas/common";
import type { Meta } from "../../trpc";
import { ZStore, ZStoreId } from "./store.types";

export const ZStoreGetInput = z.strictObject({ id: ZStoreId });
export const ZStoreGetOutput = ZStore;
export const getStoreMeta: Meta = {
  openapi: {
    method: "GET",
    path: "/stores/{id}",
    tags: ["stores"],
    summary: "Get a store",
    errorResponses: [...AUTH_ERRORS, 404],
  },
};
