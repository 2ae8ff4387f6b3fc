import { defineGroup } from "../../lib/command";

export default defineGroup(
  { name: "webhooks", description: "Webhook endpoints and their deliveries (admin)" },
  {
    create: () => import("./create.ts").then((m) => m.default),
    list: () => import("./list.ts").then((m) => m.default),
    test: () => import("./test.ts").then((m) => m.default),
    deliveries: () => import("./deliveries.ts").then((m) => m.default),
    retry: () => import("./retry.ts").then((m) => m.default),
  },
);
