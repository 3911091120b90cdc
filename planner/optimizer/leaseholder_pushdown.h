#pragma once

#include "planner/plan.h"

namespace cairn::planner {

// Marks what each table scan of a query can hand to the leaseholders of
// its ranges (ScanPushdown): its predicate when every part of it can be
// evaluated there, the columns the plan reads, a LIMIT directly above it,
// and the partial states of an aggregate directly above it. Scans that
// lock rows, scans under writes and the right side of lookup joins (read
// by key by the join itself) keep reading rows to the gateway.
void PushDownToLeaseholders(PlanNode* plan);

// Whether a leaseholder can evaluate `e` on its own: it reads only its row
// (no subqueries, no enclosing query) and calls only functions whose value
// depends on nothing but their arguments. Parameters qualify: the gateway
// sends their values.
bool EvaluableAtLeaseholder(const BoundExpr& e);

}  // namespace cairn::planner
