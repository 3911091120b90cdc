#pragma once

#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "common/value.h"
#include "executor/exec_context.h"
#include "planner/bound_expr.h"
#include "planner/plan.h"

// What the join operators share: the joined row, and a row's join key.
namespace cairn::executor {

// The left row's columns, then the right row's.
Row ConcatRows(const Row& left, const Row& right);

// A row of NULLs of `columns`' types: the missing side of an outer join.
Row NullRow(const std::vector<planner::OutputColumn>& columns);

// The values of `keys` over `row`, or nullopt when one is NULL (= holds
// for no NULL, so such a row matches nothing).
absl::StatusOr<std::optional<Row>> JoinKeyOf(const std::vector<planner::BoundExprPtr>& keys,
                                             const Row& row, ExecContext* ctx);

}  // namespace cairn::executor
