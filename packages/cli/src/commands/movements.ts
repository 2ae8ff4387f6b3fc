import { isStockroomError, type RouterInputs, type StockroomClient } from "@stockroom/sdk";
import { parseIntArg, parseTimeArg } from "../lib/args";
import { defineApiCommand } from "../lib/command";
import { UsageError } from "../lib/exit";
import { resolveProduct } from "../lib/resolve";

type Kind = NonNullable<NonNullable<RouterInputs["movements"]["list"]>["kind"]>;
const KINDS = ["adjustment", "transfer_out", "transfer_in", "count"] as const satisfies readonly Kind[];

/**
 * The sku of each product on a page, for people reading the table (the ledger holds ids). The
 * reads go out together, so the SDK sends them as one batched request; a product deleted
 * since shows its id.
 */
async function skusOf(client: StockroomClient, ids: string[]): Promise<Map<string, string>> {
  const unique = [...new Set(ids)];
  const skus = await Promise.all(
    unique.map((id) =>
      client.products.get({ id }).then(
        (p) => p.sku,
        (err) => {
          if (isStockroomError(err) && err.code === "NOT_FOUND") return id;
          throw err;
        },
      ),
    ),
  );
  return new Map(unique.map((id, i) => [id, skus[i]!]));
}

export default defineApiCommand({
  meta: { name: "movements", description: "The stock ledger, newest first" },
  args: {
    product: { type: "string", description: "Only this product (id or sku)", valueHint: "id|sku" },
    store: { type: "string", description: "Only this store", valueHint: "id" },
    kind: { type: "string", description: `Only this kind: ${KINDS.join(", ")}` },
    transfer: { type: "string", description: "Only the legs of this transfer", valueHint: "id" },
    reservation: { type: "string", description: "Only the sales of this reservation", valueHint: "id" },
    shipment: {
      type: "string",
      description: "Only the legs of this shipment (shipped out, received in)",
      valueHint: "id",
    },
    since: {
      type: "string",
      description: "From this time: ISO timestamp, date, or age like 24h, 7d",
      valueHint: "time",
    },
    until: { type: "string", description: "Up to this time (same forms as --since)", valueHint: "time" },
    limit: { type: "string", description: "Rows per page, 1..100 (default 20)", valueHint: "n" },
    cursor: { type: "string", description: "Continue from a previous page's nextCursor" },
  },
  async run({ args, client, out }) {
    if (args.kind !== undefined && !KINDS.includes(args.kind as Kind))
      throw new UsageError(`--kind must be one of ${KINDS.join(", ")}, got '${args.kind}'`);
    const product = args.product ? await resolveProduct(client, args.product) : undefined;
    const page = await client.movements.list({
      productId: product?.id,
      storeId: args.store,
      kind: args.kind as Kind | undefined,
      transferId: args.transfer,
      reservationId: args.reservation,
      shipmentId: args.shipment,
      since: parseTimeArg(args.since, "--since"),
      until: parseTimeArg(args.until, "--until"),
      limit: parseIntArg(args.limit, "--limit", { min: 1, max: 100 }),
      cursor: args.cursor,
    });
    const skus = out.jsonMode
      ? new Map<string, string>()
      : product
        ? new Map([[product.id, product.sku]])
        : await skusOf(
            client,
            page.items.map((m) => m.productId),
          );
    out.result(page, () => {
      out.table(page.items, [
        { header: "time", value: (m) => m.createdAt },
        { header: "store", value: (m) => m.storeId },
        { header: "kind", value: (m) => m.kind },
        { header: "delta", value: (m) => (m.delta > 0 ? `+${m.delta}` : m.delta), align: "right" },
        { header: "after", value: (m) => m.quantityAfter, align: "right" },
        { header: "reason", value: (m) => m.reason },
        { header: "reference", value: (m) => m.reference },
        { header: "sku", value: (m) => skus.get(m.productId) ?? m.productId },
      ]);
      if (page.nextCursor) out.note(`more: --cursor ${page.nextCursor}`);
    });
  },
});
