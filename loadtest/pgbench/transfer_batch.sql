-- 8 key-less transfers of 1 unit of a hot product, each between two random stores, applied
-- together by ONE call of stockroom_transfer_batch (migration 0006): what the server sends
-- when transfers queue behind the ones running (StatementQueue in
-- packages/api/src/services/stock.ts). pgbench counts one transaction per 8 transfers.
\set i1 random(0, :hot - 1)
\set a1 random(0, :stores - 1)
\set b1 random(0, :stores - 2)
\set b1 case when :b1 >= :a1 then :b1 + 1 else :b1 end
\set i2 random(0, :hot - 1)
\set a2 random(0, :stores - 1)
\set b2 random(0, :stores - 2)
\set b2 case when :b2 >= :a2 then :b2 + 1 else :b2 end
\set i3 random(0, :hot - 1)
\set a3 random(0, :stores - 1)
\set b3 random(0, :stores - 2)
\set b3 case when :b3 >= :a3 then :b3 + 1 else :b3 end
\set i4 random(0, :hot - 1)
\set a4 random(0, :stores - 1)
\set b4 random(0, :stores - 2)
\set b4 case when :b4 >= :a4 then :b4 + 1 else :b4 end
\set i5 random(0, :hot - 1)
\set a5 random(0, :stores - 1)
\set b5 random(0, :stores - 2)
\set b5 case when :b5 >= :a5 then :b5 + 1 else :b5 end
\set i6 random(0, :hot - 1)
\set a6 random(0, :stores - 1)
\set b6 random(0, :stores - 2)
\set b6 case when :b6 >= :a6 then :b6 + 1 else :b6 end
\set i7 random(0, :hot - 1)
\set a7 random(0, :stores - 1)
\set b7 random(0, :stores - 2)
\set b7 case when :b7 >= :a7 then :b7 + 1 else :b7 end
\set i8 random(0, :hot - 1)
\set a8 random(0, :stores - 1)
\set b8 random(0, :stores - 2)
\set b8 case when :b8 >= :a8 then :b8 + 1 else :b8 end
select count(*) from stockroom_transfer_batch(
  array[
    ('00000000-0000-4000-8000-' || lpad(to_hex((:i1)::bigint), 12, '0'))::uuid,
    ('00000000-0000-4000-8000-' || lpad(to_hex((:i2)::bigint), 12, '0'))::uuid,
    ('00000000-0000-4000-8000-' || lpad(to_hex((:i3)::bigint), 12, '0'))::uuid,
    ('00000000-0000-4000-8000-' || lpad(to_hex((:i4)::bigint), 12, '0'))::uuid,
    ('00000000-0000-4000-8000-' || lpad(to_hex((:i5)::bigint), 12, '0'))::uuid,
    ('00000000-0000-4000-8000-' || lpad(to_hex((:i6)::bigint), 12, '0'))::uuid,
    ('00000000-0000-4000-8000-' || lpad(to_hex((:i7)::bigint), 12, '0'))::uuid,
    ('00000000-0000-4000-8000-' || lpad(to_hex((:i8)::bigint), 12, '0'))::uuid],
  array[
    ('lt-s' || lpad((:a1)::text, 2, '0'))::varchar,
    ('lt-s' || lpad((:a2)::text, 2, '0'))::varchar,
    ('lt-s' || lpad((:a3)::text, 2, '0'))::varchar,
    ('lt-s' || lpad((:a4)::text, 2, '0'))::varchar,
    ('lt-s' || lpad((:a5)::text, 2, '0'))::varchar,
    ('lt-s' || lpad((:a6)::text, 2, '0'))::varchar,
    ('lt-s' || lpad((:a7)::text, 2, '0'))::varchar,
    ('lt-s' || lpad((:a8)::text, 2, '0'))::varchar],
  array[
    ('lt-s' || lpad((:b1)::text, 2, '0'))::varchar,
    ('lt-s' || lpad((:b2)::text, 2, '0'))::varchar,
    ('lt-s' || lpad((:b3)::text, 2, '0'))::varchar,
    ('lt-s' || lpad((:b4)::text, 2, '0'))::varchar,
    ('lt-s' || lpad((:b5)::text, 2, '0'))::varchar,
    ('lt-s' || lpad((:b6)::text, 2, '0'))::varchar,
    ('lt-s' || lpad((:b7)::text, 2, '0'))::varchar,
    ('lt-s' || lpad((:b8)::text, 2, '0'))::varchar],
  array_fill(1, array[8]),
  array(select gen_random_uuid() from generate_series(1, 8)),
  array_fill('loadtest'::varchar, array[8]),
  array_fill((:actor)::uuid, array[8]));
