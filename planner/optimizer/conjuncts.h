#pragma once

#include <vector>

#include "planner/bound_expr.h"

// Helpers for optimizer passes that move parts of a condition around.
namespace cairn::planner {

// The parts of a condition joined by AND, moved out of it.
std::vector<BoundExprPtr> TakeConjuncts(BoundExprPtr condition);
// Their AND again (one part: itself; none: null).
BoundExprPtr Conjunction(std::vector<BoundExprPtr> parts);
// `a AND b` where either may be null.
BoundExprPtr And(BoundExprPtr a, BoundExprPtr b);

// Which inputs of a join `e` (over the joined row) reads: bit 1 the left
// row (columns below `left_width`), bit 2 the right one; 0 for neither.
// -1 when it must stay where it is: it reads the enclosing query's row,
// runs a subquery, or gives a new value per evaluation (random()).
int SidesRead(const BoundExpr& e, int left_width);

// Adds `delta` to every column reference of `e` (a right-side expression
// moved from the joined row to the right input's row: -left_width).
void ShiftColumns(BoundExpr* e, int delta);

}  // namespace cairn::planner
