\set id random(1, :rows - 100)
SELECT count(*), sum(ref) FROM orders WHERE ref BETWEEN :id AND :id + 99;
