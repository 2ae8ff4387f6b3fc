-- GET /api/products?sort=name&limit=20&offset=20*P
\set p random(0, 20)
\set o :p * 20
select id, sku, name, description, category, price, created_at, updated_at, total_quantity, (select coalesce(sum(c.products), 0) from category_counts c )::int as total from "products" where "products"."deleted_at" is null order by name asc, id asc limit 20 offset :o;
