import { defineOperation } from "../../operation";
import { listKeys } from "../../services/keys";
import { listKeysMeta, ZKeyListInput, ZKeyListOutput } from "./list-keys.types";

export const listKeysOperation = defineOperation({
  name: "keys.list",
  meta: listKeysMeta,
  input: ZKeyListInput,
  output: ZKeyListOutput,
  minRole: "admin",
  kind: "read",
  consistency: "strong",
  handler: (ctx) => listKeys(ctx.db),
});
