// Shared by the k6 scripts: the dataset (found, or seeded through the API), one request of a
// scenario from ../scenarios.js, and thresholds built from its TARGETS.
import { check, fail } from "k6";
import http from "k6/http";
import {
  category,
  LAYOUTS,
  levelMinStock,
  levelQuantity,
  levelStores,
  price,
  requestMaker,
  sku,
  storeId,
  TARGETS,
} from "../scenarios.js";

// STOCKROOM_URL / STOCKROOM_API_KEY are accepted too (the names docker-compose.yml passes).
export const BASE_URL = (__ENV.BASE_URL || __ENV.STOCKROOM_URL || "http://api:8000").replace(/\/$/, "");
const API_KEY = __ENV.API_KEY || __ENV.STOCKROOM_API_KEY || "";
const HEADERS = { Authorization: `Bearer ${API_KEY}`, "Content-Type": "application/json" };

function getJson(path) {
  const res = http.get(`${BASE_URL}${path}`, { headers: HEADERS, tags: { name: "setup" } });
  if (res.status !== 200) fail(`GET ${path} answered ${res.status}: ${res.body}`);
  return res.json();
}

function findProducts() {
  const ids = [];
  let cursor = null;
  do {
    const page = getJson(`/api/products?q=LT-&sort=sku&limit=100${cursor ? `&cursor=${cursor}` : ""}`);
    for (const p of page.items) if (/^LT-\d{5}$/.test(p.sku)) ids[Number(p.sku.slice(3))] = p.id;
    cursor = page.nextCursor;
  } while (cursor);
  return ids;
}

function findStores() {
  const page = getJson("/api/stores?limit=100");
  return page.items.filter((s) => /^lt-s\d{2}$/.test(s.id)).map((s) => s.id);
}

function seedThroughApi(layout) {
  const post = (path, body) =>
    http.post(`${BASE_URL}${path}`, JSON.stringify(body), { headers: HEADERS, tags: { name: "setup" } });
  for (let k = 0; k < layout.stores; k++) {
    const res = post("/api/stores", { id: storeId(k), name: `Loadtest store ${k}` });
    if (res.status !== 201 && res.status !== 409)
      fail(`creating store ${storeId(k)}: ${res.status} ${res.body}`);
  }
  for (let start = 0; start < layout.products; start += 1000) {
    const items = [];
    for (let i = start; i < Math.min(layout.products, start + 1000); i++)
      items.push({
        sku: sku(i),
        name: `Loadtest item ${i} ${category(layout, i)}`,
        category: category(layout, i),
        price: price(i),
      });
    const res = post("/api/products/batch", { items, onError: "rejectAll" });
    if (res.status !== 200) fail(`creating products: ${res.status} ${res.body}`);
  }
  const ids = findProducts();
  const puts = [];
  for (let i = 0; i < layout.products; i++)
    for (const k of levelStores(layout, i))
      puts.push([
        "PUT",
        `${BASE_URL}/api/stores/${storeId(k)}/inventory/${ids[i]}`,
        JSON.stringify({ quantity: levelQuantity(layout, i, k), minStock: levelMinStock(layout, i, k) }),
        { headers: HEADERS, tags: { name: "setup" } },
      ]);
  for (let n = 0; n < puts.length; n += 50) {
    for (const res of http.batch(puts.slice(n, n + 50)))
      if (res.status !== 200) fail(`setting a level: ${res.status} ${res.body}`);
  }
}

/**
 * setup(): the dataset's layout and ids. `pnpm --filter @stockroom/loadtest seed` loads the full
 * dataset with bulk SQL; without one, the `k6` layout (LAYOUT env) is created through the API.
 */
export function setupDataset() {
  if (!API_KEY) fail("Set API_KEY to a manager or admin key (e.g. the STOCKROOM_BOOTSTRAP_KEY of the api)");
  let ids = findProducts();
  let stores = findStores();
  let layout = Object.values(LAYOUTS).find((l) => l.products === ids.length && l.stores === stores.length);
  if (!layout) {
    if (ids.length > 0)
      fail(`found ${ids.length} LT- products and ${stores.length} lt- stores: no known layout`);
    if (__ENV.SEED === "0") fail("no load-test dataset and SEED=0");
    layout = LAYOUTS[__ENV.LAYOUT || "k6"];
    seedThroughApi(layout);
    ids = findProducts();
    stores = findStores();
  }
  return { layout, productIds: ids, storeIds: stores.sort() };
}

const makers = {};

/** Sends one request of the scenario and checks it succeeded. */
export function step(data, scenario) {
  if (!makers[scenario]) makers[scenario] = requestMaker(scenario, data, Math.random);
  const r = makers[scenario]();
  const params = { headers: HEADERS, tags: { kind: r.kind, name: r.name } };
  const res =
    r.method === "GET"
      ? http.get(`${BASE_URL}${r.path}`, params)
      : http.request(r.method, `${BASE_URL}${r.path}`, JSON.stringify(r.body), params);
  check(res, { "status is 2xx": (x) => x.status >= 200 && x.status < 300 });
  return res;
}

const latency = (target) => [`p(95)<${target.p95Ms}`, `p(99)<${target.p99Ms}`];
const noErrors = { http_req_failed: [`rate<=${TARGETS.errorRate}`], checks: ["rate==1"] };

/** Thresholds of the issue's targets: reads and writes at 50 connections, everything at 500. */
export const thresholds = {
  read: { ...noErrors, "http_req_duration{kind:read}": latency(TARGETS.read) },
  write: { ...noErrors, "http_req_duration{kind:write}": latency(TARGETS.write) },
  mixed: {
    ...noErrors,
    "http_req_duration{kind:read}": latency(TARGETS.read),
    "http_req_duration{kind:write}": latency(TARGETS.write),
  },
  heavy: {
    ...noErrors,
    "http_req_duration{kind:read}": latency(TARGETS.heavy),
    "http_req_duration{kind:write}": latency(TARGETS.heavy),
  },
};

/** An optional floor on throughput (requests/s of a kind), e.g. MIN_RPS=3450 on the reference machine. */
export function withMinRate(base, kind) {
  if (!__ENV.MIN_RPS) return base;
  return { ...base, [`http_reqs{kind:${kind}}`]: [`rate>=${Number(__ENV.MIN_RPS)}`] };
}

export const DURATION = __ENV.DURATION || "30s";
export const VUS = Number(__ENV.VUS || TARGETS.read.connections);
