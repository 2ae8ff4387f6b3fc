-- The same transfer over a cold product, between two of the stores that hold it (scenarios.js levelStores).
\set i random(:hot, :products - 1)
\set k1 random(0, :levels - 1)
\set k2 random(0, :levels - 2)
\set k2 case when :k2 >= :k1 then :k2 + 1 else :k2 end
\set a (:i + :k1 * :step) % :stores
\set b (:i + :k2 * :step) % :stores
\set r1 random(0, 9223372036854775806)
\set r2 random(0, 9223372036854775806)
\set lo case when :a < :b then :a else :b end
\set hi case when :a < :b then :b else :a end
\set dlo case when :a < :b then -1 else 1 end
with locked as materialized (
  select store_id from stock_levels where product_id = ('00000000-0000-4000-8000-' || lpad(to_hex((:i)::bigint), 12, '0'))::uuid and store_id in (('lt-s' || lpad((:a)::text, 2, '0')), ('lt-s' || lpad((:b)::text, 2, '0')))
  order by store_id for update
),
d(n, store_id, kind, delta, reason) as (values
  ((case when :dlo = -1 then 0 else 1 end)::int, ('lt-s' || lpad((:lo)::text, 2, '0'))::varchar, (case when :dlo = -1 then 'transfer_out' else 'transfer_in' end)::movement_kind, (:dlo)::int, null::varchar),
  ((case when :dlo = -1 then 1 else 0 end)::int, ('lt-s' || lpad((:hi)::text, 2, '0'))::varchar, (case when :dlo = -1 then 'transfer_in' else 'transfer_out' end)::movement_kind, (0 - :dlo)::int, null::varchar)),
changed as (
  update stock_levels l set quantity = stockroom_take(l.quantity, d.delta, l.store_id), updated_at = now()
  from d where l.product_id = ('00000000-0000-4000-8000-' || lpad(to_hex((:i)::bigint), 12, '0'))::uuid and l.store_id = d.store_id
    and (select count(*) from locked) = 2
    and exists (select 1 from products where id = ('00000000-0000-4000-8000-' || lpad(to_hex((:i)::bigint), 12, '0'))::uuid and deleted_at is null)
    and (select count(*) from stores where id in (('lt-s' || lpad((:a)::text, 2, '0')), ('lt-s' || lpad((:b)::text, 2, '0'))) and deleted_at is null) = 2
  returning l.store_id, l.quantity, l.min_stock, l.updated_at, d.n, d.kind, d.delta, d.reason
),
ledger as (
  insert into movements (product_id, store_id, kind, delta, quantity_after, reason, reference, transfer_id, actor)
  select ('00000000-0000-4000-8000-' || lpad(to_hex((:i)::bigint), 12, '0'))::uuid, store_id, kind, delta, quantity, reason, 'loadtest'::varchar,
         (lpad(to_hex((:r1)::bigint), 16, '0') || lpad(to_hex((:r2)::bigint), 16, '0'))::uuid, (:actor)::uuid
  from changed order by n
  returning seq, id, store_id, kind, delta, quantity_after, reason, reference, transfer_id, actor, created_at
)
select x.* from (select stockroom_require((select count(*) from changed) = 2, 'levels') as ok) r
cross join lateral (
  select m.seq, m.id, m.kind, m.delta, m.quantity_after, m.reason, m.reference, m.transfer_id, m.actor, m.created_at,
         c.store_id, c.quantity, c.min_stock, c.updated_at, p.id as product_id, p.sku, p.name, p.category, p.price
  from ledger m join changed c on c.store_id = m.store_id join products p on p.id = ('00000000-0000-4000-8000-' || lpad(to_hex((:i)::bigint), 12, '0'))::uuid
  where r.ok
) x order by x.seq;
