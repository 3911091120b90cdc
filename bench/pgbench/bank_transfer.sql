-- One bank transfer per transaction (bench/bank_bench.sh): move :amt (1 to
-- 100) from account :a to account :b of `bank` (ids 1 .. groups *
-- group_size) in one explicit REPEATABLE READ transaction (CairnDB always
-- runs snapshot isolation, which it reports as REPEATABLE READ).
--
-- The ids are cut into :groups groups of :group_size consecutive ids, and
-- :a and :b are always in different groups (b's group is a's shifted by 1 to
-- groups - 1, b uniform within it):
--   -D groups=ACCOUNTS -D group_size=1: any two distinct accounts;
--   -D groups=RANGES -D group_size=ACCOUNTS/RANGES, the table split at each
--     group's first id: the two accounts are always in two different ranges
--     (a two-phase commit).
-- Balances may go below zero: the point is the writes, not the bank.
\set a random(1, :groups * :group_size)
\set b_group ((:a - 1) / :group_size + random(1, :groups - 1)) % :groups
\set b :b_group * :group_size + random(1, :group_size)
\set amt random(1, 100)
BEGIN ISOLATION LEVEL REPEATABLE READ;
UPDATE bank SET balance = balance - :amt WHERE id = :a;
UPDATE bank SET balance = balance + :amt WHERE id = :b;
COMMIT;
