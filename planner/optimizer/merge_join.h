#pragma once

#include "planner/plan.h"

namespace cairn::planner {

// Makes an equi-join (keys chosen, optimizer/join_method.h) a merge join
// when both inputs already come ordered by its keys, ascending: each is a
// scan (under projections and filters) whose key order, after the columns
// an equality fixes, starts with the join's key columns, in the same
// sequence on both sides. The key pairs are put in that sequence, and the
// two scans marked as keeping their order. Returns whether it did.
//
// A merge join streams both inputs and holds only one key's rows of the
// right one, where a hash join holds the whole right input.
bool ChooseMergeJoin(PlanNode* join);

}  // namespace cairn::planner
