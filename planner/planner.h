#pragma once

#include "absl/status/statusor.h"
#include "parser/ast/statement.h"
#include "planner/binder/binder.h"
#include "planner/plan.h"

namespace cairn::planner {

// What a session may turn off in the optimizer (PostgreSQL's enable_*
// settings), to compare plans or to work around a bad one.
struct PlannerSettings {
  bool enable_hashjoin = true;
  bool enable_mergejoin = true;
  // Filters, projections, limits and partial aggregates evaluated at the
  // ranges' leaseholders (optimizer/leaseholder_pushdown.h).
  bool enable_pushdown = true;
  bool operator==(const PlannerSettings&) const = default;
};

// Plans a SELECT, INSERT, UPDATE or DELETE: binds it, then runs the
// optimizer's passes over the bound plan.
absl::StatusOr<PlanPtr> PlanQuery(const ast::Statement& statement, TableResolver* resolver,
                                  const PlannerSettings& settings = {});

}  // namespace cairn::planner
