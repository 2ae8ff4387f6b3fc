import { listAlerts } from "../../services/stock-queries";
import { viewerProcedure } from "../../trpc";
import { listAlertsMeta, ZAlertsInput, ZAlertsOutput } from "./list-alerts.types";

export const listAlertsRoute = viewerProcedure
  .meta(listAlertsMeta)
  .input(ZAlertsInput)
  .output(ZAlertsOutput)
  .query(({ ctx, input }) => listAlerts(ctx.db, input));
