import { z } from "zod";
import type { Meta } from "../../operation";
import { ZOffsetPage, ZPaging } from "../../schemas/common";
import { ZStore } from "./store.types";

export const ZStoreListInput = z.strictObject({ ...ZPaging }).default({ limit: 20, offset: 0 });
export const ZStoreListOutput = ZOffsetPage(ZStore);
export const listStoresMeta: Meta = {
  openapi: {
    method: "GET",
    path: "/stores",
    tags: ["stores"],
    summary: "List stores",
  },
  errors: [],
  errorExamples: { VALIDATION_FAILED: "limit: Too big: expected number to be <=100" },
};
