export { type AdjustInput, adjustStock } from "./adjust";
export { DEFAULT_WRITE_BATCHING, type StockDoor, stockDoor, type WriteBatching } from "./door";
export {
  BELOW_MIN_SQL,
  HELD_SQL,
  type LevelRow,
  MOVEMENT_COLUMNS,
  movementOf,
  STORED_BELOW_MIN_SQL,
  toLevel,
  toMovement,
} from "./mappers";
export { type SetLevelInput, setLevel } from "./set-level";
export { type TransferInput, transferStock } from "./transfer";
