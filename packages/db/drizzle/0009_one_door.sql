-- One door for every stock change: stockroom_apply (packages/db/sql/stock-apply.sql) replaces
-- the single-statement helpers (0004, 0007) and the grouped-write functions (0006, 0008).
-- From here on, the current source of every function lives in packages/db/sql/; the server
-- installs those files after the migrations, and records here what it installed.
DROP FUNCTION stockroom_adjust_batch(uuid[], varchar[], integer[], integer[], varchar[], varchar[], uuid[]);--> statement-breakpoint
DROP FUNCTION stockroom_transfer_batch(uuid[], varchar[], varchar[], integer[], uuid[], varchar[], uuid[]);--> statement-breakpoint
DROP FUNCTION stockroom_apply_net(text[], integer[], integer[]);--> statement-breakpoint
DROP FUNCTION stockroom_lock_counters(text[], varchar[], integer[], integer[], integer[]);--> statement-breakpoint
DROP FUNCTION stockroom_lock_levels(uuid[], varchar[]);--> statement-breakpoint
DROP FUNCTION stockroom_expect(integer, integer, text);--> statement-breakpoint
DROP FUNCTION stockroom_take(integer, integer, text);--> statement-breakpoint
DROP FUNCTION stockroom_require(boolean, text);--> statement-breakpoint
CREATE TABLE stockroom_sql_sources (
  name varchar(100) PRIMARY KEY NOT NULL,
  sha256 varchar(64) NOT NULL,
  installed_at timestamp with time zone DEFAULT now() NOT NULL
);
