-- The compare-and-swap of an adjustment or count sent with expectedQuantity, for the
-- one-statement form: returns `available` when it equals `expected` (or no quantity is
-- expected), else refuses with SQLSTATE P0001, message "stockroom_stale:<available>:<store>".
-- Like stockroom_take, in an UPDATE it sees the latest committed version of the locked row.
CREATE FUNCTION stockroom_expect(available integer, expected integer, store text) RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
  IF expected IS NOT NULL AND available <> expected THEN
    RAISE EXCEPTION 'stockroom_stale:%:%', available, store USING ERRCODE = 'P0001';
  END IF;
  RETURN available;
END $$;
