-- Text search `q` uses trigram indexes. pg_trgm is a trusted extension (PostgreSQL 13+): the
-- database owner may create it. PGlite loads it from @electric-sql/pglite/contrib/pg_trgm
-- (PGLITE_EXTENSIONS, packages/db/src/pglite-template.ts).
CREATE EXTENSION IF NOT EXISTS pg_trgm;--> statement-breakpoint
CREATE INDEX "products_live_name_trgm_idx" ON "products" USING gin ("name" gin_trgm_ops) WHERE "products"."deleted_at" is null;--> statement-breakpoint
CREATE INDEX "products_live_sku_trgm_idx" ON "products" USING gin ("sku" gin_trgm_ops) WHERE "products"."deleted_at" is null;