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
