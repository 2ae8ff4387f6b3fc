-- GET /api/products?priceMin=L&priceMax=L+50&sort=-price&limit=20
\set lo random(1, 300)
\set hi :lo + 50
select id, sku, name, description, category, price, created_at, updated_at, total_quantity, (select count(*) from "products" where ("products"."deleted_at" is null and "products"."price" >= :lo and "products"."price" <= :hi))::int as total from "products" where ("products"."deleted_at" is null and "products"."price" >= :lo and "products"."price" <= :hi) order by price desc, id desc limit 20 offset 0;
