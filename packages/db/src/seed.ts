import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "./client";
import { products, stores } from "./schema";
import { applyStockOperations, type StockOperation } from "./stock-changes";

/** A small hardware chain: enough to try every endpoint against. */
const DEMO_STORES = [
  { id: "store1", name: "Downtown" },
  { id: "store2", name: "Northside" },
  { id: "store3", name: "Harbor Road" },
  { id: "warehouse", name: "Central Warehouse" },
];

const CATALOG: Record<string, Array<[sku: string, name: string, price: string]>> = {
  tools: [
    ["HAM-16", "Claw hammer 16 oz", "18.99"],
    ["HAM-20", "Framing hammer 20 oz", "27.50"],
    ["SCR-SET-6", "Screwdriver set, 6 pieces", "21.00"],
    ["WR-ADJ-10", "Adjustable wrench 10 in", "16.75"],
    ["PLR-LN-8", "Long-nose pliers 8 in", "12.40"],
    ["SAW-HND-20", "Hand saw 20 in", "24.99"],
    ["TAPE-25", "Tape measure 25 ft", "14.50"],
    ["LVL-24", "Spirit level 24 in", "19.95"],
    ["DRL-18V", "Cordless drill 18 V", "89.00"],
    ["BIT-SET-29", "Drill bit set, 29 pieces", "34.99"],
    ["UTK-01", "Utility knife", "7.25"],
    ["CLMP-6", "Bar clamp 6 in", "11.80"],
  ],
  fasteners: [
    ["SCW-WD-8x1", "Wood screws #8 x 1 in, 100", "6.49"],
    ["SCW-WD-8x2", "Wood screws #8 x 2 in, 100", "8.99"],
    ["NAIL-CM-3", "Common nails 3 in, 1 lb", "4.75"],
    ["ANC-DRY-50", "Drywall anchors, 50", "7.99"],
    ["BLT-HX-38", "Hex bolts 3/8 in, 10", "5.60"],
    ["NUT-HX-38", "Hex nuts 3/8 in, 25", "3.40"],
    ["WSH-FL-38", "Flat washers 3/8 in, 50", "3.10"],
    ["HOOK-S-10", "S hooks, 10", "4.20"],
  ],
  electrical: [
    ["EXT-25", "Extension cord 25 ft", "22.99"],
    ["OUT-DUP-W", "Duplex outlet, white", "2.49"],
    ["SW-TGL-W", "Toggle switch, white", "1.99"],
    ["WIRE-12-50", "Electrical wire 12 AWG, 50 ft", "39.00"],
    ["BULB-LED-60", "LED bulb 60 W equivalent, 4 pack", "9.99"],
    ["TAPE-ELEC", "Electrical tape", "2.99"],
    ["TSTR-VOLT", "Voltage tester", "19.49"],
    ["PLT-DUP", "Outlet wall plate", "0.99"],
  ],
  plumbing: [
    ["PVC-1-10", "PVC pipe 1 in x 10 ft", "8.45"],
    ["ELB-PVC-1", "PVC elbow 1 in", "1.15"],
    ["TEFLON", "Thread seal tape", "1.79"],
    ["PLNG-CUP", "Cup plunger", "9.50"],
    ["VLV-BALL-12", "Ball valve 1/2 in", "13.25"],
    ["FAU-KIT", "Faucet repair kit", "11.99"],
    ["WR-PIPE-14", "Pipe wrench 14 in", "29.00"],
    ["HOSE-SUP-16", "Supply hose 16 in", "7.60"],
  ],
  paint: [
    ["PNT-INT-W1", "Interior paint white, 1 gal", "34.99"],
    ["PNT-EXT-G1", "Exterior paint grey, 1 gal", "42.50"],
    ["PRM-1", "Primer, 1 gal", "24.00"],
    ["BR-2", "Paint brush 2 in", "6.25"],
    ["ROL-9", "Roller kit 9 in", "12.99"],
    ["TAPE-PNT", "Painter's tape 1.5 in", "5.49"],
    ["DRP-9x12", "Drop cloth 9 x 12 ft", "8.75"],
    ["SND-220", "Sandpaper 220 grit, 10", "5.99"],
  ],
  garden: [
    ["HOSE-50", "Garden hose 50 ft", "32.00"],
    ["SHV-RND", "Round shovel", "28.50"],
    ["RAKE-LF", "Leaf rake", "17.25"],
    ["GLV-GDN-M", "Garden gloves, M", "6.99"],
    ["PRN-BYP", "Bypass pruner", "15.49"],
    ["SOIL-40", "Potting soil 40 qt", "11.25"],
    ["SPR-OSC", "Oscillating sprinkler", "19.99"],
    ["WHL-6", "Wheelbarrow 6 cu ft", "119.00"],
  ],
  safety: [
    ["GLS-SAF", "Safety glasses", "8.99"],
    ["EAR-MUF", "Ear muffs", "17.99"],
    ["MSK-N95-10", "N95 masks, 10", "14.99"],
    ["GLV-WRK-L", "Work gloves, L", "12.50"],
    ["HLM-HARD", "Hard hat", "21.75"],
    ["KIT-FA", "First aid kit", "26.00"],
    ["EXT-FIRE", "Fire extinguisher", "44.99"],
    ["VST-HV", "High-visibility vest", "9.25"],
  ],
};

/** True when the database has never held catalog data. */
export async function isEmpty(db: Db): Promise<boolean> {
  const [row] = rowsOf<{ n: number }>(
    await db.execute(sql`select (select count(*) from products) + (select count(*) from stores) as n`),
  );
  return Number(row?.n ?? 0) === 0;
}

/**
 * Loads the demo chain: stores, products, stock in every store (as ledger rows, so the
 * ledger explains every level) and a few levels below their minimum.
 */
export async function seedDemo(db: Db): Promise<{ stores: number; products: number; levels: number }> {
  return db.transaction(async (tx) => {
    await tx.insert(stores).values(DEMO_STORES);
    const rows = Object.entries(CATALOG).flatMap(([category, items]) =>
      items.map(([sku, name, price]) => ({
        sku,
        name,
        category,
        price,
        description: `${name} (${category})`,
      })),
    );
    const inserted = await tx.insert(products).values(rows).returning({ id: products.id, sku: products.sku });
    // Every level arrives through the one door, as a receipt, so the ledger explains it.
    const receipts: StockOperation[] = [];
    inserted.forEach((p, i) => {
      DEMO_STORES.forEach((s, j) => {
        // Deterministic spread; every 9th level sits below its minimum for alerts.
        const minStock = 5 + ((i + j) % 4) * 5;
        const low = (i * 7 + j) % 9 === 0;
        const quantity = low
          ? (i + j) % minStock
          : 10 + ((i * 13 + j * 29) % 90) + (s.id === "warehouse" ? 200 : 0);
        receipts.push([
          {
            productId: p.id,
            storeId: s.id,
            kind: "adjustment",
            delta: quantity,
            minStock,
            reason: "received",
            reference: "demo-seed",
          },
        ]);
      });
    });
    const outcomes = await applyStockOperations(tx, receipts);
    const refused = outcomes.find((o) => !o.applied);
    if (refused) throw new Error(`demo seed: a receipt was refused (${JSON.stringify(refused)})`);
    return { stores: DEMO_STORES.length, products: inserted.length, levels: receipts.length };
  });
}
