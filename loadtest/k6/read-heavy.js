// Read-heavy: list with filters, get by id, store inventory, alerts, 50 closed-loop users.
import { DURATION, setupDataset, step, thresholds, VUS, withMinRate } from "./lib.js";

export const options = {
  setupTimeout: "10m",
  scenarios: { reads: { executor: "constant-vus", vus: VUS, duration: DURATION } },
  thresholds: withMinRate(thresholds.read, "read"),
};

export const setup = setupDataset;

export default function (data) {
  step(data, "read");
}
