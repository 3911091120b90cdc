#include <optional>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "catalog/catalog_keys.h"
#include "catalog/row_codec.h"
#include "executor/expression_evaluator.h"
#include "executor/operators/dml_support.h"

namespace cairn::executor {
namespace {

// Writes its child's rows (full table rows) as new rows of the table.
class InsertOperator : public Operator {
 public:
  InsertOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx,
                 int64_t* row_count)
      : plan_(plan), child_(std::move(child)), ctx_(ctx), row_count_(row_count) {}

  absl::StatusOr<bool> Next(RowBatch* batch) override {
    batch->clear();
    if (done_) return false;
    const catalog::TableInfo& table = *plan_.table;
    RowBatch input;
    while (batch->empty()) {
      CAIRN_ASSIGN_OR_RETURN(bool more, child_->Next(&input));
      if (!more) {
        done_ = true;
        break;
      }
      for (const Row& row : input) {
        CAIRN_RETURN_IF_ERROR(CheckNotNull(table, row));
        CAIRN_RETURN_IF_ERROR(CheckConstraints(plan_, row, ctx_));
        if (plan_.on_conflict == planner::PlanNode::OnConflict::kError) {
          CAIRN_RETURN_IF_ERROR(InsertRow(table, row, ctx_));
          ++*row_count_;
          CAIRN_RETURN_IF_ERROR(AppendReturning(plan_, row, ctx_, batch));
          continue;
        }
        CAIRN_ASSIGN_OR_RETURN(std::optional<Row> written, InsertOrResolve(table, row));
        if (!written) continue;
        ++*row_count_;
        CAIRN_RETURN_IF_ERROR(AppendReturning(plan_, *written, ctx_, batch));
      }
      if (!plan_.has_returning) batch->clear();
    }
    return !batch->empty();
  }

 private:
  // The existing row that `row` would conflict with on the constraint of
  // the ON CONFLICT clause (any unique one for DO NOTHING without a
  // target): its key and value; and the conflict's identity (the
  // constrained values' key), which DO UPDATE may touch once.
  struct Conflict {
    std::string identity;
    std::optional<std::pair<std::string, std::string>> existing;
  };
  absl::StatusOr<Conflict> FindConflict(const catalog::TableInfo& table, const Row& row,
                                        uint32_t index_id) {
    Conflict out;
    if (index_id == 0) {
      out.identity = catalog::EncodePrimaryKey(table, row);
      CAIRN_ASSIGN_OR_RETURN(auto value, ctx_->txn->Get(out.identity));
      if (value) out.existing.emplace(out.identity, *std::move(value));
      return out;
    }
    for (const catalog::IndexInfo& index : table.indexes()) {
      if (index.id != index_id) continue;
      catalog::IndexEntry entry = catalog::EncodeIndexEntry(table, index, row);
      out.identity = entry.key;
      // NULLs never conflict.
      if (!entry.checks_uniqueness) return out;
      CAIRN_ASSIGN_OR_RETURN(auto entry_value, ctx_->txn->Get(entry.key));
      if (!entry_value) return out;
      CAIRN_ASSIGN_OR_RETURN(catalog::DecodedIndexEntry decoded,
                             catalog::DecodeIndexEntry(table, index, entry.key, *entry_value));
      const std::string row_key =
          catalog::catalog_keys::IndexPrefix(table.id(), table.primary_index_id()) +
          decoded.primary_key;
      CAIRN_ASSIGN_OR_RETURN(auto value, ctx_->txn->Get(row_key));
      if (value) out.existing.emplace(row_key, *std::move(value));
      return out;
    }
    return MakeError(ErrorCode::kInternal, "the ON CONFLICT index is gone");
  }

  // ON CONFLICT: inserts `row`, or on a conflict does nothing or updates
  // the existing row. Returns the row written, if any.
  absl::StatusOr<std::optional<Row>> InsertOrResolve(const catalog::TableInfo& table,
                                                     const Row& row) {
    const bool update = plan_.on_conflict == planner::PlanNode::OnConflict::kUpdate;
    if (plan_.conflict_on_any) {
      // DO NOTHING without a target: a conflict on any unique constraint.
      CAIRN_ASSIGN_OR_RETURN(Conflict on_key, FindConflict(table, row, 0));
      if (on_key.existing) return std::optional<Row>();
      for (const catalog::IndexInfo& index : table.indexes()) {
        if (!index.unique) continue;
        CAIRN_ASSIGN_OR_RETURN(Conflict on_index, FindConflict(table, row, index.id));
        if (on_index.existing) return std::optional<Row>();
      }
      CAIRN_RETURN_IF_ERROR(InsertRow(table, row, ctx_));
      return row;
    }
    CAIRN_ASSIGN_OR_RETURN(Conflict conflict, FindConflict(table, row, plan_.conflict_index_id));
    if (update && !touched_.insert(conflict.identity).second) {
      return WithDetail(
          MakeError(ErrorCode::kCardinalityViolation,
                    "ON CONFLICT DO UPDATE command cannot affect row a second time"),
          "Ensure that no rows proposed for insertion within the same command have duplicate "
          "constrained values.");
    }
    if (!conflict.existing) {
      // Another unique constraint than the one named still refuses.
      CAIRN_RETURN_IF_ERROR(InsertRow(table, row, ctx_));
      return row;
    }
    const auto& [key, existing] = *conflict.existing;
    if (!update) return std::optional<Row>();
    CAIRN_ASSIGN_OR_RETURN(Row current, catalog::DecodeRow(table, key, existing));
    Row both = current;
    both.insert(both.end(), row.begin(), row.end());  // then EXCLUDED
    if (plan_.predicate) {
      CAIRN_ASSIGN_OR_RETURN(bool pass, EvaluatePredicate(*plan_.predicate, both, ctx_));
      if (!pass) return std::optional<Row>();
    }
    Row updated;
    for (const auto& e : plan_.exprs) {
      CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*e, both, ctx_));
      updated.push_back(std::move(v));
    }
    CAIRN_RETURN_IF_ERROR(CheckNotNull(table, updated));
    CAIRN_RETURN_IF_ERROR(CheckConstraints(plan_, updated, ctx_));
    CAIRN_RETURN_IF_ERROR(UpdateRow(table, current, updated, ctx_));
    return updated;
  }

  const planner::PlanNode& plan_;
  OperatorPtr child_;
  ExecContext* ctx_;
  int64_t* row_count_;
  bool done_ = false;
  absl::flat_hash_set<std::string> touched_;  // DO UPDATE: rows written so far
};

}  // namespace

OperatorPtr MakeInsertOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx,
                               int64_t* row_count) {
  return std::make_unique<InsertOperator>(plan, std::move(child), ctx, row_count);
}

}  // namespace cairn::executor
