// Transfer-heavy: one unit at a time over the 100 hot products (and some cold ones), both
// directions, 50 closed-loop users. Any 409 or 5xx fails the run: the dataset never runs dry.
import { DURATION, setupDataset, step, thresholds, VUS, withMinRate } from "./lib.js";

export const options = {
  setupTimeout: "10m",
  scenarios: { transfers: { executor: "constant-vus", vus: VUS, duration: DURATION } },
  thresholds: withMinRate(thresholds.write, "write"),
};

export const setup = setupDataset;

export default function (data) {
  step(data, "transfer");
}
