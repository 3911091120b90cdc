SELECT c.region, count(*), sum(o.amount) FROM orders o JOIN customers c ON o.cust_id = c.id GROUP BY c.region;
