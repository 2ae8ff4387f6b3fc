// A ramp to 500 virtual users as the original's load-test guidance recommends: 10 new users/s
// up to 100, then 100 new users/s up to 500, held, on the mixed scenario. Targets at 500
// connections: no failed request, p99 <= 1 s for reads and for transfers.
import { setupDataset, step, thresholds } from "./lib.js";

const HOLD = __ENV.HOLD || "60s";

export const options = {
  setupTimeout: "10m",
  scenarios: {
    ramp: {
      executor: "ramping-vus",
      startVUs: 0,
      stages: [
        { duration: "10s", target: 100 },
        { duration: "4s", target: 500 },
        { duration: HOLD, target: 500 },
        { duration: "5s", target: 0 },
      ],
      gracefulRampDown: "10s",
    },
  },
  thresholds: thresholds.heavy,
};

export const setup = setupDataset;

export default function (data) {
  step(data, "mixed");
}
