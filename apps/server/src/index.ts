export { createApp, MAX_BODY_BYTES } from "./app";
export { CONFIG_VARIABLES, type Config, ConfigSchema, loadConfig } from "./config";
export { createLogger, type RunningServer, startServer } from "./server";
