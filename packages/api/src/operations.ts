import { listEventsOperation } from "./routers/events/list-events";
import { adjustStockOperation } from "./routers/inventory/adjust-stock";
import { auditLedgerOperation } from "./routers/inventory/audit-ledger";
import { listAlertsOperation } from "./routers/inventory/list-alerts";
import { listStoreInventoryOperation } from "./routers/inventory/list-store-inventory";
import { setLevelOperation } from "./routers/inventory/set-level";
import { transferStockOperation } from "./routers/inventory/transfer-stock";
import { createKeyOperation } from "./routers/keys/create-key";
import { listKeysOperation } from "./routers/keys/list-keys";
import { revokeKeyOperation } from "./routers/keys/revoke-key";
import { getMovementOperation } from "./routers/movements/get-movement";
import { listMovementsOperation } from "./routers/movements/list-movements";
import { createProductOperation } from "./routers/products/create-product";
import { deleteProductOperation } from "./routers/products/delete-product";
import { getProductOperation } from "./routers/products/get-product";
import { listProductsOperation } from "./routers/products/list-products";
import { updateProductOperation } from "./routers/products/update-product";
import { upsertProductsOperation } from "./routers/products/upsert-products";
import { commitReservationOperation } from "./routers/reservations/commit-reservation";
import { createReservationOperation } from "./routers/reservations/create-reservation";
import { extendReservationOperation } from "./routers/reservations/extend-reservation";
import { getReservationOperation } from "./routers/reservations/get-reservation";
import { listReservationsOperation } from "./routers/reservations/list-reservations";
import { releaseReservationOperation } from "./routers/reservations/release-reservation";
import { cancelShipmentOperation } from "./routers/shipments/cancel-shipment";
import { closeShipmentOperation } from "./routers/shipments/close-shipment";
import { createShipmentOperation } from "./routers/shipments/create-shipment";
import { getShipmentOperation } from "./routers/shipments/get-shipment";
import { listShipmentsOperation } from "./routers/shipments/list-shipments";
import { receiveShipmentOperation } from "./routers/shipments/receive-shipment";
import { shipShipmentOperation } from "./routers/shipments/ship-shipment";
import { createStoreOperation } from "./routers/stores/create-store";
import { deleteStoreOperation } from "./routers/stores/delete-store";
import { getStoreOperation } from "./routers/stores/get-store";
import { listStoresOperation } from "./routers/stores/list-stores";
import { updateStoreOperation } from "./routers/stores/update-store";
import { createWebhookOperation } from "./routers/webhooks/create-webhook";
import { deleteWebhookOperation } from "./routers/webhooks/delete-webhook";
import { getWebhookOperation } from "./routers/webhooks/get-webhook";
import { listDeliveriesOperation } from "./routers/webhooks/list-deliveries";
import { listWebhooksOperation } from "./routers/webhooks/list-webhooks";
import { retryDeliveryOperation } from "./routers/webhooks/retry-delivery";
import { rotateWebhookSecretOperation } from "./routers/webhooks/rotate-webhook-secret";
import { testWebhookOperation } from "./routers/webhooks/test-webhook";
import { updateWebhookOperation } from "./routers/webhooks/update-webhook";

/**
 * Every operation of the API. The tRPC router, the REST routes, the OpenAPI document and
 * the metrics labels are all built from this table. Its order is the order of the
 * document's paths.
 */
export const operations = [
  listProductsOperation,
  getProductOperation,
  createProductOperation,
  updateProductOperation,
  deleteProductOperation,
  upsertProductsOperation,
  listStoresOperation,
  getStoreOperation,
  createStoreOperation,
  updateStoreOperation,
  deleteStoreOperation,
  listStoreInventoryOperation,
  setLevelOperation,
  adjustStockOperation,
  transferStockOperation,
  listAlertsOperation,
  auditLedgerOperation,
  listReservationsOperation,
  getReservationOperation,
  createReservationOperation,
  extendReservationOperation,
  releaseReservationOperation,
  commitReservationOperation,
  listShipmentsOperation,
  getShipmentOperation,
  createShipmentOperation,
  shipShipmentOperation,
  receiveShipmentOperation,
  cancelShipmentOperation,
  closeShipmentOperation,
  listMovementsOperation,
  getMovementOperation,
  listEventsOperation,
  createWebhookOperation,
  listWebhooksOperation,
  getWebhookOperation,
  updateWebhookOperation,
  deleteWebhookOperation,
  rotateWebhookSecretOperation,
  testWebhookOperation,
  listDeliveriesOperation,
  retryDeliveryOperation,
  listKeysOperation,
  createKeyOperation,
  revokeKeyOperation,
] as const;
