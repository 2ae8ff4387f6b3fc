-- A one-line assertion for single-statement writes: in a statement whose data-modifying
-- CTEs have already run, `WHERE stockroom_require(<condition>, '<what>')` aborts the whole
-- statement (and so every change it made) when the condition is false. Raised as
-- SQLSTATE P0001 with a message starting "stockroom_require: ".
CREATE FUNCTION stockroom_require(ok boolean, what text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  IF ok IS NOT TRUE THEN
    RAISE EXCEPTION 'stockroom_require: %', what USING ERRCODE = 'P0001';
  END IF;
  RETURN true;
END $$;
--> statement-breakpoint
-- The new quantity of a level changed by `delta`, refusing to go below zero with the
-- quantity it found: SQLSTATE P0001, message "stockroom_insufficient:<available>:<store>".
-- In an UPDATE it is evaluated on the latest committed version of the locked row, so the
-- available quantity it reports is the one the decision was made on.
CREATE FUNCTION stockroom_take(available integer, delta integer, store text) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
  IF available + delta < 0 THEN
    RAISE EXCEPTION 'stockroom_insufficient:%:%', available, store USING ERRCODE = 'P0001';
  END IF;
  RETURN available + delta;
END $$;
