SELECT count(*), max(o.amount) FROM orders o JOIN customers c ON o.cust_id = c.id WHERE c.region = 3;
