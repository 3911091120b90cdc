#pragma once

#include "planner/plan.h"

namespace cairn::planner {

// Marks the secondary-index scans whose index holds every column the plan
// reads of their table (indexed, primary key and stored INCLUDE columns)
// as covering: they answer from the index entries and never fetch a row.
// A full scan that keeps no order the plan relies on becomes a covering
// scan of the narrowest index that holds what it needs (`SELECT count(*)`,
// `SELECT b FROM t` with an index on b). What the plan reads is worked
// out from the root down; a node whose reading is not modelled here reads
// all its input, so a scan under it stays as it was.
void UseCoveringScans(PlanNode* plan);

}  // namespace cairn::planner
