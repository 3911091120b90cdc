SELECT count(*), max(jr.id) FROM jl LEFT JOIN jr ON jl.k = jr.k AND jr.id % 2 = 0 WHERE jl.id % 10 = 0;
