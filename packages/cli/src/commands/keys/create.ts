import type { RouterInputs } from "@stockroom/sdk";
import { requireString } from "../../lib/args";
import { defineApiCommand } from "../../lib/command";
import { UsageError } from "../../lib/exit";

type Role = RouterInputs["keys"]["create"]["role"];
const ROLES = ["viewer", "clerk", "manager", "admin"] as const satisfies readonly Role[];

export default defineApiCommand({
  meta: { name: "create", description: "Create an API key; its secret is shown this once" },
  args: {
    name: { type: "string", description: "What the key is for", required: true },
    role: { type: "string", description: `One of ${ROLES.join(", ")}`, required: true },
  },
  async run({ args, client, out }) {
    const role = requireString(args.role, "--role");
    if (!ROLES.includes(role as Role))
      throw new UsageError(`--role must be one of ${ROLES.join(", ")}, got '${role}'`);
    const key = await client.keys.create({ name: requireString(args.name, "--name"), role: role as Role });
    out.result(key, () => {
      out.record(key, ["id", "name", "role", "prefix", "createdAt"]);
      out.line();
      out.line(key.secret);
      out.note("This secret is shown only now; store it safely (e.g. as STOCKROOM_API_KEY).");
    });
  },
});
