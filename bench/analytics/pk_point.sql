\set id random(1, :rows)
SELECT amount FROM orders WHERE id = :id;
