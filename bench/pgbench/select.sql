-- One point SELECT by primary key per transaction (autocommit), over the
-- 10,000 rows (k = 1..10000) that run_all.sh loads.
\set id random(1, 10000)
SELECT v FROM bench_kv WHERE k = :id;
