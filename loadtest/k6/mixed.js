// Mixed: 80 % reads, 20 % transfers, 50 closed-loop users.
import { DURATION, setupDataset, step, thresholds, VUS } from "./lib.js";

export const options = {
  setupTimeout: "10m",
  scenarios: { mixed: { executor: "constant-vus", vus: VUS, duration: DURATION } },
  thresholds: thresholds.mixed,
};

export const setup = setupDataset;

export default function (data) {
  step(data, "mixed");
}
