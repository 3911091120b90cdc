#pragma once

#include "planner/plan.h"

namespace cairn::planner {

// Makes every join of `plan` whose condition has equalities between a left
// expression and a right one a hash join: those equalities become its
// keys, the rest of the condition its residual predicate. Keys of types
// whose equality is not equality of the stored value (float's -0 and 0,
// CHAR's trailing blanks, jsonb's numbers) stay in the predicate.
void ChooseJoinMethods(PlanNode* plan);

}  // namespace cairn::planner
