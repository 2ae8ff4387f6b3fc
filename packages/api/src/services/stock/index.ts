export { type AdjustInput, adjustStock } from "./adjust";
export { DEFAULT_WRITE_BATCHING, type StockDoor, stockDoor, type WriteBatching } from "./door";
export { type LevelRow, MOVEMENT_COLUMNS, toLevel, toMovement } from "./mappers";
export { type SetLevelInput, setLevel } from "./set-level";
export { type TransferInput, transferStock } from "./transfer";
