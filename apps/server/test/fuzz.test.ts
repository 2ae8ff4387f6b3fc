import { ERROR_CODES } from "@stockroom/api";
import { rowsOf, sql } from "@stockroom/db";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_BODY_BYTES } from "../src/app";
import { addKey, createTestApp, type TestApp, testBackends } from "./helpers";

// Fuzzing from the contract: every operation in /openapi.json gets requests built from its
// own schemas, then broken on purpose. Whatever comes in, the answer is < 500, a problem+json
// body with a catalogue code, no stack text, and a 4xx leaves stock exactly as it was.

const backends = await testBackends();
const SEED = 20_240_611;
/** Cases per REST operation; STOCKROOM_FUZZ_RUNS raises it for a longer hunt. */
const RUNS = Number(process.env.STOCKROOM_FUZZ_RUNS) || 160;
const TRPC_RUNS = Math.max(20, Math.round(RUNS / 4));

interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  pattern?: string;
  format?: string;
  $ref?: string;
}
interface Parameter {
  name: string;
  in: "query" | "path" | "header";
  schema: JsonSchema;
}
interface Operation {
  label: string;
  method: string;
  path: string;
  query: Parameter[];
  pathParams: Parameter[];
  body?: JsonSchema;
}
interface Pools {
  products: string[];
  stores: string[];
  movements: string[];
  transfers: string[];
  keys: string[];
}

const clip = (s: string, n = 160) => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);

/** One generated request; prints short, so a failure report stays readable. */
class FuzzRequest {
  constructor(
    readonly strategy: string,
    readonly method: string,
    readonly url: string,
    readonly headers: Record<string, string>,
    readonly body?: string | Uint8Array,
  ) {}
  [fc.toStringMethod]() {
    const body =
      this.body === undefined
        ? ""
        : typeof this.body === "string"
          ? clip(JSON.stringify(this.body))
          : `bytes(${clip(Buffer.from(this.body).toString("hex"), 120)})`;
    const headers = JSON.stringify(
      Object.fromEntries(Object.entries(this.headers).map(([k, v]) => [k, clip(v, 60)])),
    );
    return `[${this.strategy}] ${this.method} ${clip(this.url, 200)} ${headers} ${body}`;
  }
}

// Values that are wrong for almost any field.
const WRONG_TYPES: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  "",
  " ",
  "x",
  [],
  {},
  [1, 2],
  { a: 1 },
  [null],
];
const NUMBERS: unknown[] = [
  -0,
  0.1,
  0.005,
  -1e-7,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 53),
  1e21,
  1e308,
  -1e308,
  Number.MIN_VALUE,
  99999999.99,
  99999999.995,
  100000000,
  123456789012.34,
];
const STRINGS: unknown[] = [
  "\u0000",
  "a\u0000b",
  "\ud800",
  "x\udfffy",
  "\udc00\ud800",
  "\uffff\ufffe",
  "\u202etxt",
  "🦄🦄",
  "e\u0301",
  "\u00a0",
  "'; drop table products; --",
  "\\",
  '"',
  "%00",
  "%ff",
  "../../../etc/passwd",
  "null",
  "NaN",
  "Infinity",
  "1e999",
  "-1",
  "0x10",
  "\t\n",
  "<script>alert(1)</script>",
  // biome-ignore lint/suspicious/noTemplateCurlyInString: a log-injection probe, literally
  "${jndi:ldap://x}",
  "2024-02-30T25:61:61Z",
  "0000-01-01T00:00:00Z",
  "9999-12-31T23:59:59.999999999+23:59",
  "-000001-01-01T00:00:00Z",
];

const nest = (depth: number, leaf: unknown = 1): unknown => {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

const pad = (n: number, width = 2) => String(n).padStart(width, "0");
/** Timestamps the contract's pattern accepts, pushed to the ends of the calendar and of the offsets. */
const isoAtTheEdges = fc
  .record({
    year: fc.oneof(fc.constantFrom(0, 1, 1969, 1970, 2038, 9999), fc.integer({ min: 0, max: 9999 })),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 28 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    fraction: fc.constantFrom("", ".1", ".999", ".123456789", `.${"9".repeat(20)}`),
    offset: fc.oneof(
      fc.constant("Z"),
      fc
        .tuple(fc.constantFrom("+", "-"), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
        .map(([sign, h, m]) => `${sign}${pad(h)}:${pad(m)}`),
    ),
  })
  .map(
    (t) =>
      `${pad(t.year, 4)}-${pad(t.month)}-${pad(t.day)}T${pad(t.hour)}:${pad(t.minute)}:59${t.fraction}${t.offset}`,
  );

const bigString = fc
  .tuple(fc.integer({ min: 256, max: 200_000 }), fc.constantFrom("x", "é", "🦄", "\u0000", "\ud800"))
  .map(([n, c]) => c.repeat(Math.ceil(n / c.length)));

const resolver = (doc: { components?: { schemas?: Record<string, JsonSchema> } }) => {
  const resolve = (s: JsonSchema): JsonSchema => {
    if (!s.$ref) return s;
    const name = s.$ref.replace("#/components/schemas/", "");
    return resolve(doc.components?.schemas?.[name] ?? {});
  };
  return resolve;
};

function uuidPool(name: string, path: string, pools: Pools): string[] {
  if (path.startsWith("/keys")) return pools.keys;
  if (path.startsWith("/movements/{")) return pools.movements;
  if (name === "transferId") return pools.transfers;
  if (name === "productId" || path.startsWith("/products")) return pools.products;
  return [...pools.products, ...pools.movements, ...pools.transfers];
}

/** Values that satisfy the schema (or nearly: pools make ids that really exist likely). */
function validArb(
  raw: JsonSchema,
  name: string,
  op: Operation,
  pools: Pools,
  resolve: (s: JsonSchema) => JsonSchema,
): fc.Arbitrary<unknown> {
  const s = resolve(raw);
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) {
    // An alternative beside other keywords (e.g. `anyOf: [{ required: [...] }]` on an object)
    // narrows the schema around it rather than replacing it.
    const { anyOf: _anyOf, oneOf: _oneOf, ...base } = s;
    return fc.oneof(
      ...alternatives.map((x) => {
        const alt = resolve(x);
        const required = [...new Set([...(base.required ?? []), ...(alt.required ?? [])])];
        const merged = { ...base, ...alt, ...(required.length ? { required } : {}) };
        return validArb(merged, name, op, pools, resolve);
      }),
    );
  }
  if (s.enum) return fc.constantFrom(...s.enum);
  const types = Array.isArray(s.type) ? s.type : [s.type ?? (s.properties ? "object" : "string")];
  if (types.length > 1)
    return fc.oneof(...types.map((type) => validArb({ ...s, type }, name, op, pools, resolve)));
  const min = s.minimum ?? -1_000_000;
  const max = s.maximum ?? 1_000_000;
  switch (types[0]) {
    case "null":
      return fc.constant(null);
    case "boolean":
      return fc.boolean();
    case "integer":
      return fc.oneof(
        fc.integer({ min: Math.max(min, -1000), max: Math.min(max, 1000) }),
        fc.integer({ min: Math.max(min, -(2 ** 31)), max: Math.min(max, 2 ** 31 - 1) }),
        fc.constantFrom(min, max),
      );
    case "number":
      return fc
        .integer({ min: Math.ceil(Math.max(min, -1e7) * 100), max: Math.floor(Math.min(max, 1e7) * 100) })
        .map((n) => n / 100);
    case "array":
      return fc.array(validArb(s.items ?? {}, name, op, pools, resolve), {
        minLength: s.minItems ?? 0,
        maxLength: Math.max(s.minItems ?? 0, Math.min(s.maxItems ?? 4, 4)),
      });
    case "object": {
      const props = s.properties ?? {};
      const model = Object.fromEntries(
        Object.entries(props).map(([k, v]) => [k, validArb(v, k, op, pools, resolve)]),
      );
      return fc.record(model, { requiredKeys: (s.required ?? []).filter((k) => k in props) });
    }
    default: {
      const maxLength = Math.min(s.maxLength ?? 40, 40);
      const minLength = s.minLength ?? 0;
      if (s.format === "uuid") {
        const pool = uuidPool(name, op.path, pools);
        return pool.length
          ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...pool) }, fc.uuid())
          : fc.uuid();
      }
      if (s.format === "date-time")
        return fc.oneof(
          fc
            .date({ min: new Date("2000-01-01"), max: new Date("2100-01-01"), noInvalidDate: true })
            .map((d) => d.toISOString()),
          isoAtTheEdges,
        );
      if (s.pattern?.startsWith("^[a-z0-9][a-z0-9_-]"))
        return fc.oneof(
          { weight: 3, arbitrary: fc.constantFrom(...pools.stores) },
          fc.stringMatching(new RegExp(s.pattern)),
        );
      if (s.pattern)
        return fc
          .stringMatching(new RegExp(s.pattern))
          .map((v) => v.slice(0, s.maxLength ?? 64))
          .filter((v) => v.length >= minLength);
      return fc.oneof(
        fc.string({ minLength, maxLength }),
        fc.string({ minLength, maxLength, unit: "grapheme" }),
      );
    }
  }
}

/** Values that are wrong for the schema, at its edges, or hostile to anything downstream. */
function hostileArb(raw: JsonSchema, resolve: (s: JsonSchema) => JsonSchema): fc.Arbitrary<unknown> {
  const s = resolve(raw);
  const edges: unknown[] = [];
  if (s.minimum !== undefined) edges.push(s.minimum - 1, s.minimum - 0.5, s.minimum - 1e-9);
  if (s.maximum !== undefined) edges.push(s.maximum + 1, s.maximum + 0.01, s.maximum * 10);
  if (s.maxLength !== undefined) edges.push("x".repeat(s.maxLength + 1), "é".repeat(s.maxLength + 1));
  if (s.minLength) edges.push("x".repeat(s.minLength - 1));
  if (s.maxItems !== undefined) edges.push(Array.from({ length: s.maxItems + 1 }, () => ({})));
  if (s.format === "date-time")
    edges.push(
      "0000-01-01T00:00:00Z",
      "9999-12-31T23:59:59.999-23:59",
      "2023-02-29T00:00:00Z",
      "2024-01-01T24:00:00Z",
      "2024-01-01t00:00:00z",
      "2024-01-01 00:00:00Z",
      "+275760-09-13T00:00:00Z",
      "2024-01-01",
      "1700000000",
    );
  if (s.format === "uuid") edges.push(...BAD_IDS);
  return fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...WRONG_TYPES) },
    { weight: 3, arbitrary: fc.constantFrom(...NUMBERS) },
    { weight: 4, arbitrary: fc.constantFrom(...STRINGS) },
    { weight: edges.length ? 4 : 0, arbitrary: edges.length ? fc.constantFrom(...edges) : fc.constant(0) },
    { weight: 1, arbitrary: bigString },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 30 }) },
    { weight: 1, arbitrary: fc.integer({ min: 10, max: 2000 }).map((d) => nest(d)) },
  );
}

/** Encodes a query or path value, keeping lone surrogates (which encodeURIComponent refuses). */
const encode = (v: unknown): string => {
  const text = typeof v === "string" ? v : (JSON.stringify(v) ?? "undefined");
  try {
    return encodeURIComponent(text);
  } catch {
    return text.replace(/[\ud800-\udfff]/g, "%ED%A0%80").replace(/[^\w%.~-]/g, (c) => {
      try {
        return encodeURIComponent(c);
      } catch {
        return "%ED%B0%80";
      }
    });
  }
};

const BAD_PERCENT = ["%", "%zz", "%ff", "%ED%A0%80", "%00", "%C0%AF", "a%2", "%E2%82", "%F4%90%80%80"];
const BAD_IDS = [
  "%00",
  "%ff",
  "%ED%A0%80",
  "..",
  "%2e%2e",
  "a%2Fb",
  "%2F",
  "null",
  "undefined",
  "0",
  "-1",
  "1e5",
  "00000000-0000-0000-0000-000000000000",
  "ffffffff-ffff-ffff-ffff-ffffffffffff",
  "0B7F4A3E-3C1D-4D8E-9A55-2F0C4B1E9D10",
  "{0b7f4a3e-3c1d-4d8e-9a55-2f0c4b1e9d10}",
  "0b7f4a3e3c1d4d8e9a552f0c4b1e9d10",
  "x".repeat(300),
  "%E2%80%AE",
  "%F0%9F%A6%84",
  "'%20or%201=1",
  "Store-A",
  "store%20a",
  "%20",
  "a;b",
  "a?b=c",
];
const CONTENT_TYPES = [
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/xml",
  "application/json; charset=utf-16",
  "application/json;charset=latin1",
  "APPLICATION/JSON",
  "application/jsonx",
  "application/problem+json",
  "application/merge-patch+json",
  "",
  "*/*",
  "json",
];
/** The same route, spelled the ways routers and proxies disagree about. */
const PATH_VARIANTS: Array<(path: string) => string> = [
  (p) => `${p}/`,
  (p) => p.replace("/api/", "/api//"),
  (p) => p.replace("/api/", "/API/"),
  (p) => p.replace("/api/", "/api/./"),
  (p) => p.replace("/api/", "/api/x/../"),
  (p) => p.replace("/api/", "/api%2F"),
  (p) => `${p}%00`,
  (p) => `${p};jsessionid=1`,
  (p) => `${p}#fragment`,
  (p) => `${p}?`,
  (p) => `${p}?&&=&`,
];
const METHODS = ["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"];
const MARK = "\u0001FUZZ\u0001";

/** Raw body texts and bytes: invalid UTF-8, broken and deep JSON, edge number literals, size. */
function rawBodyArb(valid: fc.Arbitrary<unknown>, body: JsonSchema): fc.Arbitrary<string | Uint8Array> {
  const fields = Object.keys(body.properties ?? {});
  const field = fields.length ? fc.constantFrom(...fields) : fc.constant("name");
  const badBytes = fc.oneof(
    fc.constantFrom(
      [0xff],
      [0xfe, 0xff],
      [0xc3, 0x28],
      [0xed, 0xa0, 0x80],
      [0xf8, 0x88, 0x80, 0x80, 0x80],
      [0xc0, 0xaf],
      [0x00],
      [0xe2, 0x82],
    ),
    fc.array(fc.integer({ min: 0x80, max: 0xff }), { minLength: 1, maxLength: 8 }),
  );
  const withBytes = fc.tuple(valid, field, badBytes).map(([v, f, bytes]) => {
    const text = JSON.stringify({ ...(v as object), [f]: MARK });
    const [before, after] = text.split(JSON.stringify(MARK).slice(1, -1));
    return new Uint8Array(Buffer.concat([Buffer.from(before!), Buffer.from(bytes), Buffer.from(after!)]));
  });
  const literal = fc
    .tuple(
      valid,
      field,
      fc.constantFrom(
        "1e999",
        "-1e999",
        "-0",
        "1e-400",
        "9".repeat(400),
        "0x10",
        "01",
        "NaN",
        "Infinity",
        '"\\u0000"',
        '"\\ud800"',
        '"\\udfff\\ud800"',
        '"a\u0000b"',
        '"\\x41"',
        "[]",
        "{}",
        "null",
        "true",
        '"1"',
        `"${"9".repeat(100)}"`,
      ),
    )
    .map(([v, f, lit]) => {
      const text = JSON.stringify({ ...(v as object), [f]: MARK });
      return text.replace(JSON.stringify(MARK), lit);
    });
  const deep = fc
    .tuple(fc.constantFrom(1000, 10_000, 100_000, 400_000), field, fc.boolean())
    .map(([d, f, arrays]) => {
      const inner = arrays ? "[".repeat(d) + "]".repeat(d) : `${'{"a":'.repeat(d)}1${"}".repeat(d)}`;
      return `{"${f}":${inner}}`;
    });
  const broken = fc.oneof(
    fc.constantFrom("", " ", "{", '{"a":', "null", "[]", "[{}]", "1", '"x"', "true", "}{", "{}{}", "\u0000"),
    valid.map((v) => `\ufeff${JSON.stringify(v)}`),
    valid.map((v) => `${JSON.stringify(v)}garbage`),
    valid.map((v) => JSON.stringify(v).slice(0, -1)),
    valid.map((v) => `[${JSON.stringify(v)}]`),
    field.map((f) => `{"${f}":1,"${f}":"two","${f}":{}}`),
    field.map((f) => `{"__proto__":{"${f}":1},"constructor":{"prototype":{"admin":true}}}`),
    fc.string({ unit: "binary", maxLength: 60 }),
  );
  const oversize = fc
    .constantFrom(MAX_BODY_BYTES - 64, MAX_BODY_BYTES + 1, MAX_BODY_BYTES * 2)
    .chain((n) => field.map((f) => `{"${f}":"${"x".repeat(n)}"}`));
  return fc.oneof(
    { weight: 3, arbitrary: withBytes },
    { weight: 3, arbitrary: literal },
    { weight: 2, arbitrary: deep },
    { weight: 3, arbitrary: broken },
    { weight: 1, arbitrary: oversize },
  );
}

const extraFields = fc.dictionary(
  fc.oneof(fc.constantFrom("__proto__", "constructor", "toString", "id", "quantity", "role"), fc.string()),
  fc.jsonValue({ maxDepth: 2 }),
  { minKeys: 1, maxKeys: 3 },
);

function operationArb(
  op: Operation,
  pools: Pools,
  keys: TestApp["keys"],
  resolve: (s: JsonSchema) => JsonSchema,
) {
  const validPath = fc
    .tuple(...op.pathParams.map((p) => validArb(p.schema, p.name, op, pools, resolve)))
    .map((values) => values.map((v) => encode(v)));
  const badPath = fc.tuple(
    ...op.pathParams.map((p) =>
      fc.oneof(
        { weight: 2, arbitrary: validArb(p.schema, p.name, op, pools, resolve).map(encode) },
        { weight: 3, arbitrary: fc.constantFrom(...BAD_IDS) },
        { weight: 1, arbitrary: hostileArb(p.schema, resolve).map(encode) },
      ),
    ),
  );
  const fillPath = (values: string[]) => {
    let i = 0;
    return `/api${op.path.replace(/\{\w+\}/g, () => values[i++] ?? "")}`;
  };

  const validQuery = fc
    .tuple(
      ...op.query.map((p) =>
        fc.option(validArb(p.schema, p.name, op, pools, resolve), { nil: undefined, freq: 2 }),
      ),
    )
    .map((values) =>
      op.query.flatMap((p, i) => (values[i] === undefined ? [] : [`${p.name}=${encode(String(values[i]))}`])),
    );
  const param = op.query.length
    ? fc.constantFrom(...op.query)
    : fc.constant({ name: "q", schema: {} } as Parameter);
  const badQuery = fc.oneof(
    fc
      .tuple(
        validQuery,
        param.chain((p) => hostileArb(p.schema, resolve).map((v) => `${p.name}=${encode(v)}`)),
      )
      .map(([q, kv]) => [...q, kv]),
    fc.tuple(validQuery, param, fc.constantFrom(...BAD_PERCENT)).map(([q, p, v]) => [...q, `${p.name}=${v}`]),
    fc
      .tuple(
        validQuery,
        fc.constantFrom("__proto__", "constructor", "toString", "limit[]", "limit[0]", "a.b", "", "%ff", "x"),
      )
      .map(([q, name]) => [...q, `${name}=1`]),
    fc.tuple(validQuery, param).map(([q, p]) => [...q, `${p.name}=1`, `${p.name}=2`, `${p.name}`]),
    fc.tuple(param, fc.integer({ min: 8000, max: 9000 })).map(([p, n]) => [`${p.name}=${"a".repeat(n)}`]),
  );
  const withQuery = (path: string, parts: string[]) => (parts.length ? `${path}?${parts.join("&")}` : path);

  const hasBody = op.body !== undefined;
  const bodySchema = op.body ? resolve(op.body) : {};
  const validBody = hasBody ? validArb(bodySchema, "(body)", op, pools, resolve) : fc.constant({});
  const props = Object.keys(bodySchema.properties ?? {});
  const propArb = props.length ? fc.constantFrom(...props) : fc.constant("x");
  const badBody = fc.oneof(
    {
      weight: 5,
      arbitrary: fc
        .tuple(validBody, propArb)
        .chain(([v, k]) =>
          hostileArb(bodySchema.properties?.[k] ?? {}, resolve).map((h) => ({ ...(v as object), [k]: h })),
        ),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(validBody, propArb).map(([v, k]) => {
        const copy = { ...(v as Record<string, unknown>) };
        delete copy[k];
        return copy;
      }),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(validBody, extraFields).map(([v, extra]) => ({ ...(v as object), ...extra })),
    },
    { weight: 1, arbitrary: hostileArb({}, resolve) },
  );

  const key = fc.oneof(
    { weight: 12, arbitrary: fc.constant(`Bearer ${keys.admin}`) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        `Bearer ${keys.viewer}`,
        `Bearer ${keys.clerk}`,
        `Bearer ${keys.manager}`,
        "",
        "Bearer ",
        "Basic Zm9vOmJhcg==",
        `Bearer ${"x".repeat(5000)}`,
        `Bearer ${keys.admin}\u00ff`,
      ),
    },
  );
  const idempotencyKey = fc.oneof(
    { weight: 6, arbitrary: fc.constant(undefined) },
    {
      weight: 3,
      arbitrary: fc.string({ minLength: 1, maxLength: 40 }).filter((k) => k.trim() === k && k !== ""),
    },
    { weight: 1, arbitrary: fc.constantFrom("", " ", "x".repeat(256), "x".repeat(255), "\u00e9\u00ff") },
  );
  const headerArb = fc
    .tuple(
      key,
      idempotencyKey,
      fc.oneof(
        { weight: 8, arbitrary: fc.constant("application/json") },
        { weight: 1, arbitrary: fc.constantFrom(...CONTENT_TYPES) },
      ),
      fc.option(
        fc.oneof(
          fc.string({ maxLength: 40 }).filter((v) => v.trim() === v),
          fc.constantFrom("x".repeat(129), "a b", "\u00ff\u00fe", "../../x", "<script>", ""),
        ),
        { nil: undefined, freq: 4 },
      ),
    )
    .map(([authorization, idem, contentType, requestId]) => {
      const headers: Record<string, string> = {};
      if (authorization) headers.authorization = authorization;
      if (hasBody) headers["content-type"] = contentType;
      if (idem !== undefined && op.method === "POST") headers["idempotency-key"] = idem;
      if (requestId !== undefined) headers["x-request-id"] = requestId;
      return headers;
    });

  const make = (
    strategy: string,
    method: string,
    url: string,
    headers: Record<string, string>,
    body?: unknown,
  ) =>
    new FuzzRequest(
      strategy,
      method,
      url,
      headers,
      body === undefined
        ? undefined
        : typeof body === "string" || body instanceof Uint8Array
          ? body
          : JSON.stringify(body),
    );

  const strategies: Array<{ weight: number; arbitrary: fc.Arbitrary<FuzzRequest> }> = [
    {
      weight: 2,
      arbitrary: fc
        .tuple(validPath, validQuery, validBody, headerArb)
        .map(([p, q, b, h]) =>
          make("valid", op.method, withQuery(fillPath(p), q), h, hasBody ? b : undefined),
        ),
    },
    {
      weight: op.pathParams.length ? 3 : 0,
      arbitrary: fc
        .tuple(badPath, validBody, headerArb)
        .map(([p, b, h]) => make("bad id", op.method, fillPath(p), h, hasBody ? b : undefined)),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(validPath, badQuery, validBody, headerArb)
        .map(([p, q, b, h]) =>
          make("bad query", op.method, withQuery(fillPath(p), q), h, hasBody ? b : undefined),
        ),
    },
    {
      weight: hasBody ? 8 : 0,
      arbitrary: fc
        .tuple(validPath, badBody, headerArb)
        .map(([p, b, h]) => make("bad body", op.method, fillPath(p), h, b)),
    },
    {
      weight: hasBody ? 6 : 0,
      arbitrary: fc
        .tuple(validPath, rawBodyArb(validBody, bodySchema), headerArb)
        .map(([p, b, h]) => make("raw body", op.method, fillPath(p), h, b)),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(validPath, fc.constantFrom(...PATH_VARIANTS), validBody, headerArb)
        .map(([p, variant, b, h]) =>
          make("path variant", op.method, variant(fillPath(p)), h, hasBody ? b : undefined),
        ),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(validPath, fc.constantFrom(...METHODS.filter((m) => m !== op.method)), validBody, headerArb)
        .map(([p, m, b, h]) =>
          make("wrong method", m, fillPath(p), h, m === "GET" || m === "HEAD" ? undefined : b),
        ),
    },
  ];
  return fc.oneof(...strategies.filter((s) => s.weight > 0));
}

/** The state a 4xx must not touch: every stock level, and the ledger's length. */
async function stockDigest(t: TestApp): Promise<string> {
  const [row] = rowsOf<{ levels: string; digest: string | null; movements: string }>(
    await t.database.db.execute(sql`
      select
        (select count(*) from stock_levels)::text as levels,
        (select md5(string_agg(product_id::text || '/' || store_id || '/' || quantity || '/' || min_stock, ','
          order by product_id, store_id)) from stock_levels) as digest,
        (select count(*) from movements)::text as movements`),
  );
  return `${row!.levels}:${row!.digest}:${row!.movements}`;
}

interface Figures {
  backend: string;
  restRequests: number;
  trpcRequests: number;
  byStatus: Record<string, number>;
  fiveHundreds: number;
  stockChangedOn4xx: number;
  ms: number;
}

describe.each(backends)("fuzzing the contract on %s", (backend) => {
  let t: TestApp;
  const operations: Operation[] = [];
  let resolve: (s: JsonSchema) => JsonSchema;
  const pools: Pools = { products: [], stores: [], movements: [], transfers: [], keys: [] };
  const figures: Figures = {
    backend,
    restRequests: 0,
    trpcRequests: 0,
    byStatus: {},
    fiveHundreds: 0,
    stockChangedOn4xx: 0,
    ms: 0,
  };
  let started = 0;

  beforeAll(async () => {
    started = performance.now();
    t = await createTestApp(backend);
    const doc = await (await t.app.request("/openapi.json")).json();
    resolve = resolver(doc);
    for (const [path, methods] of Object.entries<Record<string, Record<string, unknown>>>(doc.paths))
      for (const [method, spec] of Object.entries(methods)) {
        const parameters = (spec.parameters ?? []) as Parameter[];
        const content = (spec.requestBody as { content?: Record<string, { schema: JsonSchema }> } | undefined)
          ?.content;
        operations.push({
          label: `${method.toUpperCase()} ${path}`,
          method: method.toUpperCase(),
          path,
          query: parameters.filter((p) => p.in === "query"),
          pathParams: parameters.filter((p) => p.in === "path"),
          body: content?.["application/json"]?.schema,
        });
      }

    for (const id of ["fz-a", "fz-b", "fz-c"])
      await t.rest("POST", "/api/stores", { body: { id, name: id } });
    pools.stores.push("fz-a", "fz-b", "fz-c");
    for (const sku of ["FZ-1", "FZ-2", "FZ-3"]) {
      const p = await t.rest("POST", "/api/products", {
        body: { sku, name: sku, category: "fuzz", price: 5 },
      });
      pools.products.push(p.body.id);
      for (const storeId of ["fz-a", "fz-b"]) {
        const m = await t.rest("POST", "/api/inventory/adjustments", {
          body: { productId: p.body.id, storeId, delta: 1000, reason: "received" },
        });
        pools.movements.push(m.body.movement.id);
      }
    }
    const transfer = await t.rest("POST", "/api/inventory/transfer", {
      body: { productId: pools.products[0], sourceStoreId: "fz-a", targetStoreId: "fz-b", quantity: 1 },
    });
    pools.transfers.push(transfer.body.transferId);
    for (let i = 0; i < 3; i++) pools.keys.push((await addKey(t.database, "viewer", `throwaway ${i}`)).id);
  });

  afterAll(async () => {
    figures.ms = Math.round(performance.now() - started);
    console.log(`[fuzz figures] ${JSON.stringify(figures)}`);
    await t?.close();
  });

  it("covers every operation in /openapi.json", () => {
    expect(operations.length).toBeGreaterThanOrEqual(20);
    for (const op of operations) expect(op.label).toMatch(/^(GET|POST|PUT|DELETE|PATCH) \/\S+$/);
  });

  /** Sends one request and returns why it is unacceptable, or null. */
  async function check(req: FuzzRequest): Promise<string | null> {
    const mutating = req.method !== "GET" && req.method !== "HEAD" && req.method !== "OPTIONS";
    const before = mutating ? await stockDigest(t) : null;
    const res = await t.app.request(req.url, {
      method: req.method,
      headers: req.headers,
      body: req.body as BodyInit | undefined,
    });
    // An event stream that opened would run on: its headers are the answer, the body is dropped.
    const streaming = res.status === 200 && /^text\/event-stream/.test(res.headers.get("content-type") ?? "");
    const text = streaming
      ? await (res.body?.cancel() ?? Promise.resolve()).then(() => "")
      : await res.text();
    const status = res.status;
    figures.byStatus[status] = (figures.byStatus[status] ?? 0) + 1;
    if (req.url.startsWith("/trpc/")) figures.trpcRequests++;
    else figures.restRequests++;
    if (status >= 500) {
      figures.fiveHundreds++;
      return `status ${status}: ${clip(text, 400)}`;
    }
    if (text.includes("    at ")) return `stack text in the body: ${clip(text, 400)}`;
    if (status >= 400 && req.method !== "HEAD") {
      let body: { code?: unknown; status?: unknown; error?: { data?: { code?: unknown } } } | undefined;
      try {
        body = JSON.parse(text);
      } catch {
        return `status ${status} with a body that is not JSON: ${clip(text)}`;
      }
      if (req.url.startsWith("/trpc/")) {
        const envelopes = Array.isArray(body) ? body : [body];
        for (const e of envelopes as Array<{ error?: { data?: { code?: unknown } } }>)
          if (e?.error && !ERROR_CODES.includes(e.error.data?.code as never))
            return `tRPC error without a catalogue code: ${clip(text)}`;
      } else {
        const type = res.headers.get("content-type") ?? "";
        if (!type.startsWith("application/problem+json")) return `status ${status} sent as ${type}`;
        if (!ERROR_CODES.includes(body?.code as never) || body?.status !== status)
          return `problem without a catalogue code or with a wrong status: ${clip(text)}`;
      }
      if (before !== null) {
        const after = await stockDigest(t);
        if (after !== before) {
          figures.stockChangedOn4xx++;
          return `stock changed although the answer was ${status}: ${clip(text)}`;
        }
      }
    }
    return null;
  }

  it("every REST operation, thousands of generated requests: < 500, problem+json, stock untouched on 4xx", async () => {
    const failures: string[] = [];
    for (const [index, op] of operations.entries()) {
      const arb = operationArb(op, pools, t.keys, resolve);
      // One failing operation must not hide the others: collect, then report them all.
      await fc
        .assert(
          fc.asyncProperty(arb, async (req) => {
            const failure = await check(req);
            if (failure) throw new Error(`${op.label}: ${failure}`);
          }),
          { seed: SEED + index, numRuns: RUNS, endOnFailure: true },
        )
        .catch((err: Error) => failures.push(err.message));
    }
    expect(failures).toEqual([]);
    expect(figures.restRequests).toBeGreaterThanOrEqual(operations.length * RUNS);
  }, 600_000);

  it("every tRPC procedure with the same hostile input: < 500, catalogue codes, no stack", async () => {
    const { restRoutes } = await import("@stockroom/api");
    const failures: string[] = [];
    for (const [index, route] of restRoutes().entries()) {
      const op = operations.find((o) => o.method === route.method && o.path === route.path);
      const schema: JsonSchema = op?.body ?? {
        type: "object",
        properties: Object.fromEntries(
          [...(op?.query ?? []), ...(op?.pathParams ?? [])].map((p) => [p.name, p.schema]),
        ),
      };
      const input = fc.oneof(
        validArb(schema, "(input)", op!, pools, resolve),
        fc
          .tuple(
            validArb(schema, "(input)", op!, pools, resolve),
            fc.constantFrom("x", ...Object.keys(schema.properties ?? {})),
          )
          .chain(([v, k]) =>
            hostileArb(schema.properties?.[k] ?? {}, resolve).map((h) => ({ ...(v as object), [k]: h })),
          ),
        hostileArb({}, resolve),
      );
      const raw = fc.oneof(
        { weight: 4, arbitrary: input.map((v) => JSON.stringify(v) ?? "null") },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            "{",
            "",
            "\u0000",
            '{"json":',
            "[".repeat(100_000) + "]".repeat(100_000),
          ),
        },
      );
      const arb = fc
        .tuple(raw, fc.boolean(), fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }))
        .map(([text, batch, idem]) => {
          const headers: Record<string, string> = { authorization: `Bearer ${t.keys.admin}` };
          if (idem && route.type === "mutation") headers["idempotency-key"] = idem;
          const name = batch ? `${route.procedure},${route.procedure}` : route.procedure;
          if (route.type === "query") {
            // Now and then an input that is not even valid percent-encoding.
            const q =
              text.length % 5 === 0
                ? `input=${BAD_PERCENT[text.length % BAD_PERCENT.length]}`
                : batch
                  ? `batch=1&input=${encode(`{"0":${text},"1":${text}}`)}`
                  : `input=${encode(text)}`;
            return new FuzzRequest("trpc", "GET", `/trpc/${name}?${q}`, headers);
          }
          headers["content-type"] = "application/json";
          return new FuzzRequest(
            "trpc",
            "POST",
            batch ? `/trpc/${name}?batch=1` : `/trpc/${name}`,
            headers,
            batch ? `{"0":${text},"1":${text}}` : text,
          );
        });
      await fc
        .assert(
          fc.asyncProperty(arb, async (req) => {
            const failure = await check(req);
            if (failure) throw new Error(`${route.procedure}: ${failure}`);
          }),
          { seed: SEED + 1000 + index, numRuns: TRPC_RUNS, endOnFailure: true },
        )
        .catch((err: Error) => failures.push(err.message));
    }
    expect(failures).toEqual([]);
  }, 600_000);

  it("the seeded data is still consistent: the ledger sums to every level", async () => {
    const audit = await t.rest("GET", "/api/inventory/audit");
    expect(audit.status).toBe(200);
    expect(audit.body.discrepancies).toEqual([]);
    expect(figures.fiveHundreds).toBe(0);
    expect(figures.stockChangedOn4xx).toBe(0);
  });
});
