-- One single-row INSERT per transaction (autocommit), a random key in
-- [1, 2^62]: with a few hundred thousand inserts per run a duplicate key is
-- vanishingly unlikely (birthday bound ~1e-8). A duplicate would be an error,
-- and pgbench 15 aborts the client that hits it; run_all.sh reports that.
-- The value is 100 bytes, as in mvcc_bench.
\set id random(1, 4611686018427387904)
INSERT INTO bench_kv (k, v) VALUES (:id, 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx');
