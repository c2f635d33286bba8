-- The data of the engine benchmark's transform (bench/engine/run.sh), made by PostgreSQL itself
-- with generate_series in the engine's schema: nothing passes through a client.
--   psql -v schema=bench_engine -v orders=10000000 -v customers=100000 -f bench/engine/setup.sql
-- customers: :customers rows of (id bigint primary key, country text; 20 countries, equal shares).
-- orders: :orders rows of (id bigint, customer_id bigint, amount numeric(12,2), ordered_at timestamp),
-- customer_id spread over every customer, amounts 0.00-999.99, one order a second through 2026.
-- The same SELECTs declare the tables in bench/engine/transform.sf.
\set ON_ERROR_STOP 1
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS :"schema";
DROP TABLE IF EXISTS :"schema".orders, :"schema".customers, :"schema".country_revenue;
CREATE TABLE :"schema".customers AS
SELECT id,
       (ARRAY['DE','FR','GB','US','CA','JP','BR','IN','ES','IT',
              'NL','SE','PL','AU','MX','KR','CN','ZA','NG','AR'])[1 + (id * 7) % 20] AS country
FROM generate_series(1::bigint, :customers) AS g(id);
CREATE TABLE :"schema".orders AS
SELECT id,
       1 + (id * 7919) % :customers AS customer_id,
       CAST((id * 104729) % 100000 / 100.0 AS numeric(12,2)) AS amount,
       timestamp '2026-01-01' + (id % 31536000) * interval '1 second' AS ordered_at
FROM generate_series(1::bigint, :orders) AS g(id);
ALTER TABLE :"schema".customers ADD PRIMARY KEY (id);
VACUUM ANALYZE :"schema".customers;
VACUUM ANALYZE :"schema".orders;
