SELECT o.day, count(*), sum(o.amount) FROM orders o WHERE o.day BETWEEN 100 AND 130 GROUP BY o.day;
