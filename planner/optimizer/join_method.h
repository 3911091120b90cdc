#pragma once

#include "planner/plan.h"

namespace cairn::planner {

// Makes every join of `plan` whose condition has equalities between a left
// expression and a right one a hash join: those equalities become its
// keys, the rest of the condition its residual predicate. An inner or left
// join whose keys cover the right table's primary key, and whose left
// input is known to be small (a point get, a unique index lookup, a few
// VALUES rows, a small LIMIT), becomes a lookup join instead. Keys of types
// whose equality is not equality of the stored value (float's -0 and 0,
// CHAR's trailing blanks, jsonb's numbers) stay in the predicate. A join
// whose inputs both come ordered by its keys merges them instead of
// hashing (optimizer/merge_join.h). The settings turn hashing or merging
// off (PostgreSQL's enable_hashjoin, enable_mergejoin): such a join falls
// back to the next method, down to the nested loop.
struct JoinMethods {
  bool hash = true;
  bool merge = true;
};
void ChooseJoinMethods(PlanPtr* plan, const JoinMethods& methods);

}  // namespace cairn::planner
