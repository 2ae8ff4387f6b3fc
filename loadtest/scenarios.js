// The load-test scenarios, defined once. Plain ES module with no imports, so that both
// drivers load the very same file: k6 (loadtest/k6/*.js) and the local runner behind
// `pnpm bench` (loadtest/src/bench.ts, which also turns them into wrk request lists).

/**
 * Dataset shapes. `full` is the default dataset; `large` a chain's (`pnpm bench --layout large`:
 * ≈ 2.2 M levels, ≈ 4 M ledger rows); `quick` is for the smoke test.
 */
export const LAYOUTS = {
  full: { products: 10000, stores: 50, hotProducts: 100, levelsPerColdProduct: 10, categories: 20 },
  large: { products: 200000, stores: 200, hotProducts: 1000, levelsPerColdProduct: 10, categories: 20 },
  // What k6 seeds through the API when it finds no dataset (one request per level).
  k6: { products: 2000, stores: 20, hotProducts: 100, levelsPerColdProduct: 4, categories: 20 },
  quick: { products: 400, stores: 8, hotProducts: 20, levelsPerColdProduct: 3, categories: 6 },
};

export const CATEGORIES = [
  "tools",
  "fasteners",
  "electrical",
  "plumbing",
  "paint",
  "garden",
  "safety",
  "lighting",
  "hardware",
  "storage",
  "flooring",
  "kitchen",
  "bath",
  "doors",
  "windows",
  "heating",
  "cooling",
  "outdoor",
  "lumber",
  "adhesives",
];

/** Hot products hold this much in every store: random-direction transfers never drain them. */
export const HOT_QUANTITY = 100000;

export const sku = (i) => `LT-${String(i).padStart(5, "0")}`;
export const storeId = (k) => `lt-s${String(k).padStart(2, "0")}`;
export const category = (layout, i) => CATEGORIES[i % layout.categories];
/** Prices 1.00 .. 500.99, spread so that every price filter matches a slice. */
export const price = (i) => 1 + ((i * 7919) % 50000) / 100;
export const isHot = (layout, i) => i < layout.hotProducts;

/** Store indexes holding product i: every store for hot products, a spread for the rest. */
export function levelStores(layout, i) {
  if (isHot(layout, i)) return Array.from({ length: layout.stores }, (_, k) => k);
  const step = Math.floor(layout.stores / layout.levelsPerColdProduct);
  return Array.from({ length: layout.levelsPerColdProduct }, (_, k) => (i + k * step) % layout.stores);
}

/** Cold levels start at 50..199 units; transfers move 1 unit, so a run never drains one. */
export const levelQuantity = (layout, i, k) =>
  isHot(layout, i) ? HOT_QUANTITY : 50 + ((i * 7 + k * 13) % 150);
/** 0..79: some levels sit under their minimum, so alerts have rows. */
export const levelMinStock = (_layout, i, k) => (i * 3 + k * 11) % 80;

/** Number of stock levels a layout seeds. */
export const levelCount = (layout) =>
  layout.hotProducts * layout.stores + (layout.products - layout.hotProducts) * layout.levelsPerColdProduct;

const pick = (rand, list) => list[Math.floor(rand() * list.length)];
const between = (rand, lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));

/**
 * Request builders. Each takes the dataset context `d` ({ layout, productIds, storeIds })
 * and a random source `rand` (() => [0, 1)) and returns { method, path, body?, kind }.
 */
export const REQUESTS = {
  /** List 20 products with filters, the shapes a catalogue page sends. */
  list(d, rand) {
    const cat = category(d.layout, between(rand, 0, d.layout.categories - 1));
    const lo = between(rand, 1, 300);
    const shapes = [
      `category=${cat}&limit=20`,
      `category=${cat}&priceMin=${lo}&priceMax=${lo + 150}&sort=price&limit=20`,
      `priceMin=${lo}&priceMax=${lo + 50}&sort=-price&limit=20`,
      `sort=name&limit=20&offset=${between(rand, 0, 20) * 20}`,
      `category=${cat}&stockMin=100&sort=-createdAt&limit=20`,
    ];
    return { method: "GET", path: `/api/products?${pick(rand, shapes)}`, kind: "read" };
  },
  get(d, rand) {
    return { method: "GET", path: `/api/products/${pick(rand, d.productIds)}`, kind: "read" };
  },
  inventory(d, rand) {
    const store = pick(rand, d.storeIds);
    // The first page most often, as people browse.
    const shapes = [
      "limit=20",
      "limit=20",
      `limit=20&offset=${between(rand, 1, 10) * 20}`,
      `category=${category(d.layout, between(rand, 0, d.layout.categories - 1))}&limit=20`,
      "belowMin=true&limit=20",
    ];
    return { method: "GET", path: `/api/stores/${store}/inventory?${pick(rand, shapes)}`, kind: "read" };
  },
  alerts(d, rand) {
    const shapes = [
      `storeId=${pick(rand, d.storeIds)}&limit=20`,
      "limit=20",
      `category=${category(d.layout, between(rand, 0, d.layout.categories - 1))}&limit=20`,
    ];
    return { method: "GET", path: `/api/inventory/alerts?${pick(rand, shapes)}`, kind: "read" };
  },
  /**
   * One unit between two stores that both hold the product, in a random direction: 90 % over
   * the hot products (row-lock contention), 10 % over the cold ones.
   */
  transfer(d, rand) {
    const hot = rand() < 0.9;
    const i = hot
      ? between(rand, 0, d.layout.hotProducts - 1)
      : between(rand, d.layout.hotProducts, d.layout.products - 1);
    const stores = levelStores(d.layout, i);
    const a = between(rand, 0, stores.length - 1);
    let b = between(rand, 0, stores.length - 2);
    if (b >= a) b += 1;
    return {
      method: "POST",
      path: "/api/inventory/transfer",
      body: {
        productId: d.productIds[i],
        sourceStoreId: d.storeIds[stores[a]],
        targetStoreId: d.storeIds[stores[b]],
        quantity: 1,
        reference: "loadtest",
      },
      kind: "write",
    };
  },
  /**
   * At a store, on a hot product: a sale of 1 unit (4 in 5) or a receipt of 4 (1 in 5), so
   * stock stays level on average.
   */
  sale(d, rand) {
    const i = between(rand, 0, d.layout.hotProducts - 1);
    const receipt = rand() < 0.2;
    return {
      method: "POST",
      path: "/api/inventory/adjustments",
      body: {
        productId: d.productIds[i],
        storeId: d.storeIds[between(rand, 0, d.layout.stores - 1)],
        delta: receipt ? 4 : -1,
        reason: receipt ? "received" : "sold",
        reference: "loadtest",
      },
      kind: "write",
    };
  },
  /**
   * A cart: 1 or 2 hot products (1 unit each) held at one store. A `checkout` commits each one
   * (commitReservation below), so every pair sells 1.5 units on average, spread over the
   * hotProducts × stores levels: a run sells a few units per level of the HOT_QUANTITY each holds.
   */
  reserve(d, rand) {
    const n = between(rand, 1, 2);
    const i = between(rand, 0, d.layout.hotProducts - 1);
    let j = between(rand, 0, d.layout.hotProducts - 2);
    if (j >= i) j += 1;
    return {
      method: "POST",
      path: "/api/reservations",
      body: {
        storeId: d.storeIds[between(rand, 0, d.layout.stores - 1)],
        lines: [i, j].slice(0, n).map((k) => ({ productId: d.productIds[k], quantity: 1 })),
        reference: "loadtest",
      },
      kind: "write",
    };
  },
};

/** Requests that follow another: each takes the parsed answer of the request before it. */
export const FOLLOW_UPS = {
  /** Commits the reservation `reserve` answered (no body: sells every held unit). */
  commit(answer) {
    return { method: "POST", path: `/api/reservations/${answer.id}/commit`, kind: "write" };
  },
};

/** Scenarios: weighted mixes of the requests above. */
export const SCENARIOS = {
  list: { description: "list 20 products with filters", mix: { list: 1 } },
  get: { description: "get a product by id", mix: { get: 1 } },
  inventory: { description: "store inventory page", mix: { inventory: 1 } },
  alerts: { description: "low-stock alerts", mix: { alerts: 1 } },
  read: {
    description: "read-heavy: list, get, store inventory, alerts",
    mix: { list: 4, get: 3, inventory: 2, alerts: 1 },
  },
  transfer: { description: "transfer-heavy: hot and cold products, both directions", mix: { transfer: 1 } },
  sale: { description: "sales and receipts at the stores, hot products", mix: { sale: 1 } },
  mixed: {
    description: "mixed: 80 % reads, 20 % transfers",
    mix: { list: 32, get: 24, inventory: 16, alerts: 8, transfer: 20 },
  },
  /**
   * Requests that depend on each other: each connection loops over a `chain`, a request of
   * REQUESTS then FOLLOW_UPS fed with the answer before (here a reservation, then its commit,
   * which needs the id). The runner drives chains with autocannon, per step, and reports
   * chains per second beside the requests.
   */
  checkout: {
    description: "checkout: reserve 1-2 hot products at one store, then commit it",
    chain: ["reserve", "commit"],
  },
};

/** True when a scenario writes (the runner then checks correctness afterwards). */
export const writes = (name) =>
  SCENARIOS[name].chain !== undefined ||
  Object.keys(SCENARIOS[name].mix).some((r) => r === "transfer" || r === "sale");

/** A function that draws one request of the scenario: { method, path, body?, kind, name }. */
export function requestMaker(name, d, rand) {
  if (!SCENARIOS[name].mix) throw new Error(`scenario ${name} chains its requests; it has no mix`);
  const entries = Object.entries(SCENARIOS[name].mix);
  const total = entries.reduce((s, [, w]) => s + w, 0);
  return () => {
    let x = rand() * total;
    for (const [name, w] of entries) {
      x -= w;
      if (x < 0) return { ...REQUESTS[name](d, rand), name };
    }
    const last = entries[entries.length - 1][0];
    return { ...REQUESTS[last](d, rand), name: last };
  };
}

/** The steps of a chained scenario: { first: () => request, followUps: [(answer) => request] }. */
export function chainMaker(name, d, rand) {
  const [first, ...rest] = SCENARIOS[name].chain;
  return {
    first: () => ({ ...REQUESTS[first](d, rand), name: first }),
    followUps: rest.map((step) => (answer) => ({ ...FOLLOW_UPS[step](answer), name: step })),
  };
}

/**
 * The targets (2-core machine, load generator on the same cores). k6 thresholds and
 * the runner's verdict column both read these.
 */
export const TARGETS = {
  read: { connections: 50, p95Ms: 25, p99Ms: 50 },
  write: { connections: 50, p95Ms: 250, p99Ms: 500 },
  heavy: { connections: 500, p95Ms: 500, p99Ms: 1000 },
  /** Failed requests (socket errors, 5xx, and any 4xx the scenarios never provoke). */
  errorRate: 0,
  /** Throughput multiples over the system Stockroom replaces, at 50 connections. */
  original: { list: 345, inventory: 130, alerts: 270, transfer: 115 },
  readSpeedup: 10,
  /** Fractions of pgbench's rate for the same SQL. */
  pgbenchTransferRatio: 0.7,
  pgbenchListRatio: 0.2,
};
