// One virtual user through every request kind: the API answers and the dataset is usable.
import { setupDataset, step } from "./lib.js";

export const options = {
  vus: 1,
  iterations: 40,
  setupTimeout: "10m",
  thresholds: { http_req_failed: ["rate<=0"], checks: ["rate==1"] },
};

export const setup = setupDataset;

const ORDER = ["list", "get", "inventory", "alerts", "transfer"];
let n = 0;

export default function (data) {
  step(data, ORDER[n++ % ORDER.length]);
}
