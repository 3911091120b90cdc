#pragma once

#include "absl/status/status.h"
#include "catalog/table_info.h"
#include "common/value.h"
#include "executor/exec_context.h"
#include "executor/operator.h"
#include "executor/row_writer.h"

namespace cairn::executor {

// Shared by the DML operators: constraint checks and RETURNING.

// 23502 when a NOT NULL column of `row` is NULL.
absl::Status CheckNotNull(const catalog::TableInfo& table, const Row& row);

// 23514 when a CHECK constraint of `plan` (kInsert, kUpdate) is false for
// `row` (true and NULL pass).
absl::Status CheckConstraints(const planner::PlanNode& plan, const Row& row, ExecContext* ctx);

// Row writes (with their index entries) are in executor/row_writer.h.

// Evaluates the RETURNING list of `plan` over `row` into `out`.
absl::Status AppendReturning(const planner::PlanNode& plan, const Row& row, ExecContext* ctx,
                             RowBatch* out);

// Reads all of `child`: DML must not see its own writes while it scans.
absl::StatusOr<std::vector<Row>> Drain(Operator* child);

}  // namespace cairn::executor
