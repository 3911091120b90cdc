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
// CHAR's trailing blanks, jsonb's numbers) stay in the predicate.
void ChooseJoinMethods(PlanPtr* plan);

}  // namespace cairn::planner
