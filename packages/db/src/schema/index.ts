export * from "./catalog";
export * from "./counts";
export * from "./events";
export * from "./keys";
export * from "./reservations";
export * from "./shipments";
export * from "./stock";
export * from "./webhooks";
