export * from "./catalog";
export * from "./counts";
export * from "./keys";
export * from "./reservations";
export * from "./shipments";
export * from "./stock";
