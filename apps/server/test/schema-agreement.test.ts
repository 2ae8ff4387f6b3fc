import { restRoutes } from "@stockroom/api";
import Ajv2020 from "ajv/dist/2020";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestApp, type TestApp, testBackends } from "./helpers";

// The OpenAPI document is a promise to generated clients and validators: a body its schema
// accepts, the server accepts (it may still answer 404 or 409 about the data), and a body its
// schema refuses, the server refuses with 400. For every write operation, bodies are built from
// the documented example by changing one field at a time to values chosen from the schema's
// own keywords (its bounds and one past them, its enum, its pattern) and from a pool of
// awkward values; Ajv, a JSON Schema 2020-12 validator, says what the schema makes of each,
// and the server must say the same. Nothing here is written per operation, so new operations
// are checked as they are added.

// biome-ignore lint/suspicious/noExplicitAny: parsed JSON Schema, walked generically
type Json = Record<string, any>;

const backends = await testBackends();

/**
 * Rules the server enforces that JSON Schema cannot state (they compare two fields); the
 * document says them in words. Each is checked to be refused, naming the field.
 */
const CROSS_FIELD_RULES: Array<{ operation: string; field: string; holds: (body: Json) => boolean }> = [
  {
    operation: "inventory.transfer",
    field: "targetStoreId",
    holds: (b) => b.sourceStoreId !== b.targetStoreId,
  },
  {
    operation: "shipments.create",
    field: "targetStoreId",
    holds: (b) => b.sourceStoreId !== b.targetStoreId,
  },
];

const AWKWARD: unknown[] = [
  null,
  true,
  0,
  -1,
  1,
  2.5,
  0.001,
  1e12,
  -1e12,
  "",
  " ",
  "x",
  "1",
  "store2",
  "Tab\tand\nnewline",
  "bell\u0007",
  "nul\u0000",
  "ünïcödé ✓",
  "a".repeat(300),
  [],
  {},
];

/** Values the schema's keywords point at: its edges, just past them, its own examples. */
function valuesFor(schema: Json): unknown[] {
  const out: unknown[] = [...AWKWARD];
  const add = (...v: unknown[]) => out.push(...v);
  for (const branch of [schema, ...((schema.anyOf ?? []) as Json[])]) {
    if (branch.example !== undefined) add(branch.example);
    if (branch.default !== undefined) add(branch.default);
    if (branch.enum) add(...branch.enum, `${branch.enum[0]}x`, String(branch.enum[0]).toUpperCase());
    for (const n of [branch.minimum, branch.maximum])
      if (typeof n === "number") add(n, n - 1, n + 1, n - 0.5, n + 0.01);
    if (branch.multipleOf) add(1.23, 1.234, 0.1 + 0.2, 99.995);
    for (const n of [branch.minLength, branch.maxLength])
      if (typeof n === "number") for (const len of [n - 1, n, n + 1]) if (len >= 0) add("a".repeat(len));
    if (branch.format === "uuid") add("0B7F4A3E-3C1D-4D8E-9A55-2F0C4B1E9D10", "0b7f4a3e-3c1d-4d8e-9a55");
  }
  return out;
}

/** The schema a $ref points at, or the schema itself. */
const deref = (doc: Json, schema: Json): Json =>
  schema.$ref ? deref(doc, doc.components.schemas[schema.$ref.split("/").pop()]) : schema;

describe.each(backends)("the OpenAPI schemas and the server agree on %s", (backend) => {
  let t: TestApp;
  let doc: Json;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    // Webhook URLs from the schema's examples name hosts this machine cannot resolve: allow
    // private addresses, and the valid bodies below point at this machine.
    t = await createTestApp(backend, { webhooksAllowPrivate: true });
    doc = (await t.rest("GET", "/openapi.json", { key: null })).body;
    for (const id of ["store1", "store2"]) await t.rest("POST", "/api/stores", { body: { id, name: id } });
    const product = await t.rest("POST", "/api/products", {
      body: { sku: "AGREE-1", name: "Agreement", category: "tools", price: 5 },
    });
    ids.product = product.body.id;
    await t.rest("POST", "/api/inventory/adjustments", {
      body: { productId: ids.product, storeId: "store1", delta: 1_000_000, reason: "received" },
    });
  });
  afterAll(() => t?.close());

  /** Real ids where the documented example has made-up ones, so that valid bodies can succeed. */
  const withRealIds = (body: Json): Json => {
    const out: Json = { ...body };
    if (typeof out.productId === "string") out.productId = ids.product;
    if (Array.isArray(out.lines))
      out.lines = out.lines.map((l: Json) =>
        typeof l?.productId === "string" ? { ...l, productId: ids.product } : l,
      );
    for (const k of ["storeId", "sourceStoreId"]) if (typeof out[k] === "string") out[k] = "store1";
    if (typeof out.targetStoreId === "string") out.targetStoreId = "store2";
    if (typeof out.url === "string") out.url = "https://127.0.0.1:9/stockroom-hook";
    return out;
  };
  const pathOf = (template: string) =>
    `/api${template
      .replace(/\/stores\/\{\w+\}/g, "/stores/store1")
      .replace(/\{\w+\}/g, () => ids.product ?? "")}`;

  it("every write operation: what the schema accepts passes validation, what it refuses is a 400", async () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true, multipleOfPrecision: 6 });
    addFormats(ajv);
    const disagreements: unknown[] = [];
    const figures = { operations: 0, valid: 0, validSucceeded: 0, invalid: 0 };

    for (const route of restRoutes()) {
      const media =
        doc.paths[route.path]?.[route.method.toLowerCase()]?.requestBody?.content?.["application/json"];
      if (!media) continue;
      figures.operations += 1;
      const schema = deref(doc, media.schema);
      const validate = ajv.compile(schema);
      const example = withRealIds(schema.example as Json);
      expect([route.procedure, validate(example)]).toEqual([route.procedure, true]);
      const rule = CROSS_FIELD_RULES.find((r) => r.operation === route.procedure);

      const bodies: Json[] = [example, {}, { ...example, unknownField: 1 }];
      for (const [field, property] of Object.entries(schema.properties as Json)) {
        const { [field]: _left, ...without } = example;
        bodies.push(without);
        for (const value of valuesFor(deref(doc, property))) bodies.push({ ...example, [field]: value });
      }

      for (const body of bodies) {
        const schemaSays = validate(body);
        if (schemaSays && rule && !rule.holds(body)) {
          const reply = await t.rest(route.method, pathOf(route.path), { body });
          expect([route.procedure, reply.status, reply.body.issues?.[0]?.path]).toEqual([
            route.procedure,
            400,
            rule.field,
          ]);
          continue;
        }
        const reply = await t.rest(route.method, pathOf(route.path), { body });
        const serverSays = reply.status !== 400;
        if (reply.status >= 500 || serverSays !== schemaSays)
          disagreements.push({
            operation: route.procedure,
            body: JSON.stringify(body).slice(0, 200),
            schema: schemaSays ? "valid" : ajv.errorsText(validate.errors),
            server: `${reply.status} ${reply.body?.detail ?? ""}`.slice(0, 200),
          });
        if (schemaSays) {
          figures.valid += 1;
          if (reply.status < 300) figures.validSucceeded += 1;
        } else figures.invalid += 1;
      }
    }
    console.log(`[schema agreement] ${JSON.stringify({ backend, ...figures })}`);
    expect(disagreements).toEqual([]);
    expect(figures.operations).toBeGreaterThanOrEqual(8);
    // Both sides of the line were really exercised, and valid bodies mostly got through.
    expect(figures.invalid).toBeGreaterThan(100);
    expect(figures.validSucceeded).toBeGreaterThan(figures.valid / 2);
  });
});
