export * from "./catalog";
export * from "./counts";
export * from "./keys";
export * from "./stock";
