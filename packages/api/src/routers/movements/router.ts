import { createRouter } from "../../trpc";
import { getMovementRoute } from "./get-movement";
import { listMovementsRoute } from "./list-movements";

export const movementsRouter = createRouter({ list: listMovementsRoute, get: getMovementRoute });
