import { createRouter } from "../../trpc";
import { adjustStockRoute } from "./adjust-stock";
import { auditLedgerRoute } from "./audit-ledger";
import { listAlertsRoute } from "./list-alerts";
import { listStoreInventoryRoute } from "./list-store-inventory";
import { setLevelRoute } from "./set-level";
import { transferStockRoute } from "./transfer-stock";

export const inventoryRouter = createRouter({
  listByStore: listStoreInventoryRoute,
  setLevel: setLevelRoute,
  adjust: adjustStockRoute,
  transfer: transferStockRoute,
  alerts: listAlertsRoute,
  audit: auditLedgerRoute,
});
