export * from "./catalog";
export * from "./counts";
export * from "./keys";
export * from "./reservations";
export * from "./stock";
export * from "./shipments";
