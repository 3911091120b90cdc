SELECT count(*) FROM jl JOIN jr ON jl.id = jr.id WHERE jr.k < 100;
