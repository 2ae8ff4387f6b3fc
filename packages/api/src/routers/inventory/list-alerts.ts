import { defineOperation } from "../../operation";
import { listAlerts } from "../../services/stock-queries";
import { listAlertsMeta, ZAlertsInput, ZAlertsOutput } from "./list-alerts.types";

export const listAlertsOperation = defineOperation({
  name: "inventory.alerts",
  meta: listAlertsMeta,
  input: ZAlertsInput,
  output: ZAlertsOutput,
  minRole: "viewer",
  kind: "read",
  handler: (ctx, input) => listAlerts(ctx.db, input),
});
