#include "executor/operators/dml_support.h"

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "catalog/row_codec.h"
#include "common/error_code.h"
#include "common/value_text.h"
#include "executor/expression_evaluator.h"

namespace cairn::executor {

absl::Status CheckNotNull(const catalog::TableInfo& table, const Row& row) {
  const auto& columns = table.columns();
  for (size_t i = 0; i < columns.size(); ++i) {
    if (!columns[i].nullable && row[i].is_null()) {
      return MakeError(ErrorCode::kNotNullViolation,
                       absl::StrFormat("null value in column \"%s\" of relation \"%s\" violates "
                                       "not-null constraint",
                                       columns[i].name, table.name()));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckConstraints(const planner::PlanNode& plan, const Row& row, ExecContext* ctx) {
  for (size_t i = 0; i < plan.checks.size(); ++i) {
    CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*plan.checks[i], row, ctx));
    if (v.is_null() || v.bool_value()) continue;
    std::vector<std::string> values;
    const auto& columns = plan.table->columns();
    for (size_t c = 0; c < columns.size(); ++c) {
      if (!columns[c].hidden) values.push_back(row[c].is_null() ? "null" : FormatValue(row[c]));
    }
    return WithDetail(
        MakeError(ErrorCode::kCheckViolation,
                  absl::StrFormat("new row for relation \"%s\" violates check constraint \"%s\"",
                                  plan.table->name(), plan.check_names[i])),
        absl::StrFormat("Failing row contains (%s).", absl::StrJoin(values, ", ")));
  }
  return absl::OkStatus();
}

absl::Status AppendReturning(const planner::PlanNode& plan, const Row& row, ExecContext* ctx,
                             RowBatch* out) {
  if (!plan.has_returning) return absl::OkStatus();
  Row result;
  for (const auto& e : plan.returning) {
    CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*e, row, ctx));
    result.push_back(std::move(v));
  }
  out->push_back(std::move(result));
  return absl::OkStatus();
}

absl::StatusOr<std::vector<Row>> Drain(Operator* child) {
  std::vector<Row> rows;
  RowBatch batch;
  while (true) {
    CAIRN_ASSIGN_OR_RETURN(bool more, child->Next(&batch));
    if (!more) break;
    for (Row& r : batch) rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace cairn::executor
