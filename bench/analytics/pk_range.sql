\set id random(1, :rows - 100)
SELECT sum(amount) FROM orders WHERE id BETWEEN :id AND :id + 99;
