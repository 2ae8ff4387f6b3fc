export * from "./catalog";
export * from "./keys";
export * from "./stock";
