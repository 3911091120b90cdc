#pragma once

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "common/value.h"
#include "executor/exec_context.h"
#include "planner/bound_expr.h"

// The functions PostgreSQL clients call on the system catalogs: names of
// OIDs (pg_get_userbyid, format_type, the reg* casts), definitions
// (pg_get_indexdef, pg_get_constraintdef, pg_get_expr), visibility and
// privileges (pg_table_is_visible, has_table_privilege, ...). They read the
// catalog in the statement's transaction.
namespace cairn::executor {

// `e.name` applied to `args`, or nullopt when it is none of these.
absl::StatusOr<std::optional<Value>> EvalCatalogFunction(const planner::BoundExpr& e,
                                                         const std::vector<Value>& args,
                                                         ExecContext* ctx);

}  // namespace cairn::executor
