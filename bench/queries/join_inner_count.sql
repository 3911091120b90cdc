SELECT count(*) FROM jl JOIN jr ON jl.k = jr.k;
