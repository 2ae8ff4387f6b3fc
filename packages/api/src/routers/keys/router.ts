import { createRouter } from "../../trpc";
import { createKeyRoute } from "./create-key";
import { listKeysRoute } from "./list-keys";
import { revokeKeyRoute } from "./revoke-key";

export const keysRouter = createRouter({
  list: listKeysRoute,
  create: createKeyRoute,
  revoke: revokeKeyRoute,
});
