// Lookup join (planner/plan.h, PlanNode::lookup_join): for each row of the
// left input, the right row with the primary key its keys give is read
// (a batch of left rows' in one KV read), kept when the right scan's predicate, every key
// equality and the join's residual predicate hold. A LEFT join adds a left
// row nothing matched, right side NULL.
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "catalog/row_codec.h"
#include "common/value_cast.h"
#include "executor/expression_evaluator.h"
#include "executor/operator.h"
#include "executor/operators/join_rows.h"

namespace cairn::executor {
namespace {

class LookupJoinOperator : public Operator {
 public:
  LookupJoinOperator(const planner::PlanNode& plan, OperatorPtr left, ExecContext* ctx)
      : plan_(plan), right_(*plan.children[1]), left_(std::move(left)), ctx_(ctx) {
    right_nulls_ = NullRow(right_.output);
    // Which key gives each primary key column, in key order.
    for (int pk_column : right_.table->primary_key()) {
      for (size_t i = 0; i < plan.right_keys.size(); ++i) {
        if (plan.right_keys[i]->column_index == pk_column) {
          key_for_pk_.push_back(i);
          break;
        }
      }
    }
  }

  absl::StatusOr<bool> Next(RowBatch* batch) override {
    batch->clear();
    while (batch->empty()) {
      CAIRN_RETURN_IF_ERROR(CheckInterrupts(*ctx_));
      RowBatch left;
      CAIRN_ASSIGN_OR_RETURN(bool more, left_->Next(&left));
      if (!more) return false;
      // The right rows of the whole batch in one read.
      std::vector<std::optional<Probe>> probes;
      std::vector<std::string> keys;
      absl::flat_hash_map<std::string, size_t> key_index;
      for (const Row& row : left) {
        CAIRN_ASSIGN_OR_RETURN(std::optional<Probe> probe, ProbeFor(row));
        if (probe.has_value() && key_index.emplace(probe->key, keys.size()).second) {
          keys.push_back(probe->key);
        }
        probes.push_back(std::move(probe));
      }
      std::vector<std::optional<std::string>> values;
      if (!keys.empty()) {
        CAIRN_ASSIGN_OR_RETURN(values, ctx_->txn->BatchGet(keys));
      }
      for (size_t i = 0; i < left.size(); ++i) {
        std::optional<Row> right;
        if (probes[i].has_value()) {
          const std::optional<std::string>& value = values[key_index.at(probes[i]->key)];
          if (value.has_value()) {
            CAIRN_ASSIGN_OR_RETURN(right, Match(*probes[i], *value));
          }
        }
        CAIRN_RETURN_IF_ERROR(Join(std::move(left[i]), std::move(right), batch));
      }
    }
    return true;
  }

 private:
  // What a left row looks up: its key values, and the right row's key.
  struct Probe {
    std::vector<Value> values;
    std::string key;
  };

  absl::Status Join(Row left, std::optional<Row> right, RowBatch* batch) {
    if (right.has_value()) {
      Row joined = std::move(left);
      joined.insert(joined.end(), right->begin(), right->end());
      bool keep = true;
      if (plan_.predicate) {
        CAIRN_ASSIGN_OR_RETURN(keep, EvaluatePredicate(*plan_.predicate, joined, ctx_));
      }
      if (keep) {
        batch->push_back(std::move(joined));
        return absl::OkStatus();
      }
      left.assign(joined.begin(),
                  joined.begin() + static_cast<long>(joined.size() - right->size()));
    }
    if (plan_.join_type == planner::JoinType::kLeft) {
      left.insert(left.end(), right_nulls_.begin(), right_nulls_.end());
      batch->push_back(std::move(left));
    }
    return absl::OkStatus();
  }

  // The primary key `left`'s keys name; none when a key is NULL (= holds
  // for no row) or no value of the column's type.
  absl::StatusOr<std::optional<Probe>> ProbeFor(const Row& left) {
    Probe probe;
    for (const auto& k : plan_.left_keys) {
      CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*k, left, ctx_));
      if (v.is_null()) return std::nullopt;
      probe.values.push_back(std::move(v));
    }
    const catalog::TableInfo& table = *right_.table;
    std::vector<Value> pk;
    for (size_t j = 0; j < key_for_pk_.size(); ++j) {
      const int column = table.primary_key()[j];
      absl::StatusOr<Value> v = CastValue(probe.values[key_for_pk_[j]],
                                          table.columns()[column].type, CastContext::kAssignment);
      if (!v.ok()) return std::nullopt;
      pk.push_back(*std::move(v));
    }
    probe.key = catalog::EncodePrimaryKeyPrefix(table, pk);
    return probe;
  }

  // The right row stored under the probe's key, if it passes the right
  // scan's predicate and every key equality.
  absl::StatusOr<std::optional<Row>> Match(const Probe& probe, const std::string& value) {
    CAIRN_ASSIGN_OR_RETURN(Row right, catalog::DecodeRow(*right_.table, probe.key, value));
    if (right_.predicate) {
      CAIRN_ASSIGN_OR_RETURN(bool pass, EvaluatePredicate(*right_.predicate, right, ctx_));
      if (!pass) return std::nullopt;
    }
    for (size_t i = 0; i < probe.values.size(); ++i) {
      CAIRN_ASSIGN_OR_RETURN(Value r, Evaluate(*plan_.right_keys[i], right, ctx_));
      if (r.is_null() || CompareValues(probe.values[i], r) != 0) return std::nullopt;
    }
    if (right_.lock_rows) ctx_->txn->LockForUpdate(probe.key);  // FOR UPDATE
    return right;
  }

  const planner::PlanNode& plan_;
  const planner::PlanNode& right_;
  OperatorPtr left_;
  ExecContext* ctx_;
  Row right_nulls_;
  std::vector<size_t> key_for_pk_;
};

}  // namespace

OperatorPtr MakeLookupJoinOperator(const planner::PlanNode& plan, OperatorPtr left,
                                   ExecContext* ctx) {
  return std::make_unique<LookupJoinOperator>(plan, std::move(left), ctx);
}

}  // namespace cairn::executor
