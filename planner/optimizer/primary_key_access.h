#pragma once

#include "planner/plan.h"

namespace cairn::planner {

// Rewrites every scan of `plan` to reach its rows through the primary key
// when the scan's predicate allows: equality on every key column becomes a
// point get, equality on a prefix and/or bounds on the next column a range
// scan. The predicate stays as a residual filter, so the rewrite only
// narrows what is read, never what qualifies.
void ChoosePrimaryKeyAccess(PlanNode* plan);

}  // namespace cairn::planner
