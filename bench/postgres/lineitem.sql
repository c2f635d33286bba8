-- The lineitem-like table of bench/postgres (16 columns: ints, numerics, dates, short text), made
-- by PostgreSQL itself. psql variables: rows, name (schema-qualified table name).
SET client_min_messages = warning;
DROP TABLE IF EXISTS :name;
CREATE TABLE :name AS
SELECT g::bigint                                                AS l_orderkey,
       (g * 7919 % 200000)::int                                 AS l_partkey,
       (g * 104729 % 10000)::int                                AS l_suppkey,
       (g % 7 + 1)::int                                         AS l_linenumber,
       (g % 50 + 1)::numeric(15,2)                              AS l_quantity,
       round((900 + (g * 31 % 100000) / 100.0)::numeric, 2)::numeric(15,2) AS l_extendedprice,
       ((g % 11) / 100.0)::numeric(15,2)                        AS l_discount,
       ((g % 9) / 100.0)::numeric(15,2)                         AS l_tax,
       (ARRAY['A','N','R'])[g % 3 + 1]                          AS l_returnflag,
       (ARRAY['F','O'])[g % 2 + 1]                              AS l_linestatus,
       date '1992-01-01' + (g % 2500)::int                      AS l_shipdate,
       date '1992-01-31' + (g % 2500)::int                      AS l_commitdate,
       date '1992-01-10' + (g % 2530)::int                      AS l_receiptdate,
       (ARRAY['DELIVER IN PERSON','COLLECT COD','NONE','TAKE BACK RETURN'])[g % 4 + 1] AS l_shipinstruct,
       (ARRAY['REG AIR','AIR','RAIL','SHIP','TRUCK','MAIL','FOB'])[g % 7 + 1]         AS l_shipmode,
       substr('carefully final deposits detect slyly agai', 1 + (g % 13)::int, 10 + (g % 23)::int) AS l_comment
FROM generate_series(1::bigint, :rows) g;
VACUUM ANALYZE :name;
