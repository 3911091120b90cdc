#pragma once

#include "planner/plan.h"

namespace cairn::planner {

// Moves each part of a WHERE or ON condition as close to the rows it reads
// as the join type allows: a part over one input of a join goes into that
// input (into a scan's predicate, where the primary-key and index access
// paths see it), a WHERE part over both inputs of an inner or cross join
// becomes part of the join's condition (where a hash join can use it).
// Parts that read the enclosing query's row, run a subquery or are
// volatile stay where they are; so does anything the outer side of an
// outer join would change the meaning of.
void PushDownPredicates(PlanPtr* plan);

}  // namespace cairn::planner
