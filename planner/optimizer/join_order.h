#pragma once

#include "planner/plan.h"

namespace cairn::planner {

// Reorders each tree of three or more inner (or cross) joins by the tables'
// statistics: it starts from the input with the fewest estimated rows and
// adds, one at a time, the smallest input a join condition connects to
// those already joined (a cross join only when none is connected), as a
// left-deep tree; a projection above restores the column order the query
// wrote. Trees with an input never analyzed, or conditions that read an
// enclosing query or run subqueries, stay as written.
void ReorderJoins(PlanPtr* plan);

}  // namespace cairn::planner
