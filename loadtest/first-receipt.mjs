// Adjustments that create their level (the first receipt of a product at a store), 50 at a
// time, against a running server: node loadtest/first-receipt.mjs <url> <apiKey> [count]
const [url, key, countArg] = process.argv.slice(2);
const count = Number(countArg ?? 2000);
const h = { authorization: `Bearer ${key}`, "content-type": "application/json" };
const post = (path, body) =>
  fetch(`${url}${path}`, { method: "POST", headers: h, body: JSON.stringify(body) });
const tag = Math.random().toString(36).slice(2, 8);
const stores = [];
for (let s = 0; s < 20; s++) {
  const id = `fr-${tag}-${s}`;
  await post("/api/stores", { id, name: id });
  stores.push(id);
}
const products = [];
for (let p = 0; p < Math.ceil(count / stores.length); p++) {
  const r = await post("/api/products", {
    sku: `FR-${tag}-${p}`,
    name: `first ${p}`,
    category: "fr",
    price: 1,
  });
  products.push((await r.json()).id);
}
const jobs = [];
for (const p of products) for (const s of stores) jobs.push([p, s]);
jobs.length = count;
let next = 0;
const statuses = {};
const started = performance.now();
await Promise.all(
  Array.from({ length: 50 }, async () => {
    while (next < jobs.length) {
      const [productId, storeId] = jobs[next++];
      const r = await post("/api/inventory/adjustments", {
        productId,
        storeId,
        delta: 5,
        reason: "received",
      });
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      await r.arrayBuffer();
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
console.log(JSON.stringify({ count, perSecond: Math.round(count / seconds), statuses }));
