#pragma once

#include "absl/status/status.h"
#include "catalog/table_info.h"
#include "common/value.h"
#include "executor/exec_context.h"
#include "executor/operator.h"

namespace cairn::executor {

// Shared by the DML operators: constraint checks and RETURNING.

// 23502 when a NOT NULL column of `row` is NULL.
absl::Status CheckNotNull(const catalog::TableInfo& table, const Row& row);

// Writes `row` as a new row: 23505 if its primary key is taken (as seen by
// this transaction), else a buffered insert that Commit re-checks.
absl::Status InsertRow(const catalog::TableInfo& table, const Row& row, ExecContext* ctx);

// Evaluates the RETURNING list of `plan` over `row` into `out`.
absl::Status AppendReturning(const planner::PlanNode& plan, const Row& row, ExecContext* ctx,
                             RowBatch* out);

// Reads all of `child`: DML must not see its own writes while it scans.
absl::StatusOr<std::vector<Row>> Drain(Operator* child);

}  // namespace cairn::executor
