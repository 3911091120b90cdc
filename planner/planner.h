#pragma once

#include "absl/status/statusor.h"
#include "parser/ast/statement.h"
#include "planner/binder/binder.h"
#include "planner/plan.h"

namespace cairn::planner {

// Plans a SELECT, INSERT, UPDATE or DELETE: binds it, then runs the
// optimizer's passes over the bound plan.
absl::StatusOr<PlanPtr> PlanQuery(const ast::Statement& statement, TableResolver* resolver);

}  // namespace cairn::planner
