#include <algorithm>

#include "absl/strings/str_format.h"
#include "catalog/catalog_keys.h"
#include "catalog/row_codec.h"
#include "common/error_code.h"
#include "common/key_codec.h"
#include "common/value_cast.h"
#include "executor/expression_evaluator.h"
#include "executor/fragment_span_reader.h"
#include "executor/operator.h"

namespace cairn::executor {
namespace {

using planner::ScanSpec;

// Reads a table's rows through its primary index: one key for a point get,
// a key span otherwise, in chunks of kBatchSize, keeping the rows that pass
// the residual predicate. A scan pushed down to the leaseholders
// (planner::ScanPushdown) reads its span through a FragmentSpanReader.
class ScanOperator : public Operator {
 public:
  ScanOperator(const planner::PlanNode& plan, ExecContext* ctx) : plan_(plan), ctx_(ctx) {}

  absl::StatusOr<bool> Next(RowBatch* batch) override {
    batch->clear();
    if (!started_) {
      started_ = true;
      CAIRN_RETURN_IF_ERROR(ComputeSpan());
      if (plan_.pushdown.enabled && !done_ && !point_key_) {
        CAIRN_ASSIGN_OR_RETURN(uint64_t limit, PushedLimit());
        CAIRN_ASSIGN_OR_RETURN(fragments_,
                               FragmentSpanReader::Open(plan_, ctx_, start_, end_, limit));
      }
    }
    const catalog::TableInfo& table = *plan_.table;
    while (!done_ && batch->empty()) {
      CAIRN_RETURN_IF_ERROR(CheckInterrupts(*ctx_));
      if (fragments_ != nullptr) {
        CAIRN_RETURN_IF_ERROR(NextFromFragments(batch));
        continue;
      }
      if (index_ != nullptr) {
        CAIRN_RETURN_IF_ERROR(NextFromIndex(batch));
        continue;
      }
      if (point_key_) {
        done_ = true;
        CAIRN_ASSIGN_OR_RETURN(auto value, ctx_->txn->Get(*point_key_));
        if (!value) break;
        CAIRN_ASSIGN_OR_RETURN(Row row, catalog::DecodeRow(table, *point_key_, *value));
        CAIRN_RETURN_IF_ERROR(Emit(std::move(row), *point_key_, batch));
        break;
      }
      CAIRN_ASSIGN_OR_RETURN(auto kvs, ReadSpan());
      if (kvs.size() < kBatchSize) done_ = true;
      for (const auto& kv : kvs) {
        CAIRN_ASSIGN_OR_RETURN(Row row, catalog::DecodeRow(table, kv.key, kv.value));
        CAIRN_RETURN_IF_ERROR(Emit(std::move(row), kv.key, batch));
      }
    }
    return !batch->empty();
  }

 private:
  // The rows the leaseholders sent (or partial aggregate rows), with the
  // predicate applied here when it was not shipped.
  absl::Status NextFromFragments(RowBatch* batch) {
    CAIRN_ASSIGN_OR_RETURN(bool more, fragments_->Next(batch));
    if (!more) done_ = true;
    if (plan_.pushdown.filter || !plan_.predicate) return absl::OkStatus();
    RowBatch kept;
    for (Row& row : *batch) {
      CAIRN_ASSIGN_OR_RETURN(bool pass, EvaluatePredicate(*plan_.predicate, row, ctx_));
      if (pass) kept.push_back(std::move(row));
    }
    batch->swap(kept);
    return absl::OkStatus();
  }

  // How many rows a LIMIT (+ OFFSET) above the scan may take: no range
  // need send more. 0: no limit.
  absl::StatusOr<uint64_t> PushedLimit() {
    const planner::ScanPushdown& pushdown = plan_.pushdown;
    if (!pushdown.limit) return 0;
    static const Row kEmpty;
    CAIRN_ASSIGN_OR_RETURN(Value limit, Evaluate(*pushdown.limit, kEmpty, ctx_));
    Value offset = Value::Int64(0);
    if (pushdown.offset) {
      CAIRN_ASSIGN_OR_RETURN(offset, Evaluate(*pushdown.offset, kEmpty, ctx_));
    }
    // Anything but plain counts (NULL: no limit) is the Limit's to judge.
    if (limit.is_null() || offset.is_null() || !IsIntegerType(limit.type()) ||
        !IsIntegerType(offset.type()) || limit.int_value() < 0 || offset.int_value() < 0) {
      return 0;
    }
    return std::max<uint64_t>(1, limit.int_value() + offset.int_value());
  }

  // Yields the row stored under `row_key` if it passes the predicate.
  absl::Status Emit(Row row, const std::string& row_key, RowBatch* batch) {
    if (plan_.predicate) {
      CAIRN_ASSIGN_OR_RETURN(bool pass, EvaluatePredicate(*plan_.predicate, row, ctx_));
      if (!pass) return absl::OkStatus();
    }
    if (plan_.lock_rows) ctx_->txn->LockForUpdate(row_key);
    batch->push_back(std::move(row));
    return absl::OkStatus();
  }

  // The next kBatchSize pairs of what is left of [start_, end_), in the
  // scan's direction, and what is left after them.
  absl::StatusOr<std::vector<kv::KeyValue>> ReadSpan() {
    if (plan_.scan.reverse) {
      CAIRN_ASSIGN_OR_RETURN(auto kvs, ctx_->txn->ReverseScan(start_, end_, kBatchSize));
      if (!kvs.empty()) end_ = kvs.back().key;  // the end is exclusive
      return kvs;
    }
    CAIRN_ASSIGN_OR_RETURN(auto kvs, ctx_->txn->Scan(start_, end_, kBatchSize));
    if (!kvs.empty()) start_ = kvs.back().key + std::string(1, '\0');
    return kvs;
  }

  // A key value for column `position`, as the column's type.
  absl::StatusOr<Value> ColumnKeyValue(const planner::BoundExpr& e, int position) {
    static const Row kEmpty;
    CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(e, kEmpty, ctx_));
    if (v.is_null()) {
      // A parameter bound to NULL: equal to, and ordered against, nothing.
      return MakeError(ErrorCode::kInvalidParameterValue, "NULL key value");
    }
    return CastValue(v, plan_.table->columns()[position].type, CastContext::kAssignment);
  }
  // A key value for primary key column `k`.
  absl::StatusOr<Value> KeyValue(const planner::BoundExpr& e, size_t k) {
    return ColumnKeyValue(e, plan_.table->primary_key()[k]);
  }

  // kIndexScan: the span of the index's entries with the fixed values.
  absl::Status ComputeIndexSpan() {
    const catalog::TableInfo& table = *plan_.table;
    for (const catalog::IndexInfo& index : table.indexes()) {
      if (index.id == plan_.scan.index_id) index_ = &index;
    }
    if (index_ == nullptr) return MakeError(ErrorCode::kInternal, "index of the plan is gone");
    std::string prefix = catalog::catalog_keys::IndexPrefix(table.id(), index_->id);
    for (size_t k = 0; k < plan_.scan.key_values.size(); ++k) {
      auto v = ColumnKeyValue(*plan_.scan.key_values[k], index_->columns[k]);
      if (!v.ok()) {
        done_ = true;  // no key value: nothing matches
        return absl::OkStatus();
      }
      catalog::AppendKeyValue(&prefix, *v, index_->descending[k]);
    }
    start_ = prefix;
    end_ = key_codec::PrefixEnd(prefix);
    const size_t next = plan_.scan.key_values.size();
    if (next < index_->columns.size()) {
      ApplyBounds(prefix, index_->columns[next], index_->descending[next]);
    }
    return absl::OkStatus();
  }

  // Narrows [start_, end_) to the scan's bounds on the key column at table
  // position `position`, encoded after `prefix`. For a descending column
  // the larger values come first in key order, so the lower bound limits
  // the end of the span and the upper its start.
  void ApplyBounds(const std::string& prefix, int position, bool descending) {
    const ScanSpec& spec = plan_.scan;
    auto bound_key = [&](const planner::BoundExpr& e) -> absl::StatusOr<std::string> {
      CAIRN_ASSIGN_OR_RETURN(Value v, ColumnKeyValue(e, position));
      std::string key = prefix;
      catalog::AppendKeyValue(&key, v, descending);
      return key;
    };
    // A bound that can't be a key value (out of range) leaves the span:
    // the residual filter decides.
    if (spec.lower) {
      if (auto key = bound_key(*spec.lower); key.ok()) {
        std::string edge = spec.lower_inclusive == !descending ? *key : key_codec::PrefixEnd(*key);
        if (!descending) {
          start_ = std::max(start_, edge);
        } else {
          end_ = std::min(end_, edge);
        }
      }
    }
    if (spec.upper) {
      if (auto key = bound_key(*spec.upper); key.ok()) {
        std::string edge = spec.upper_inclusive == !descending ? key_codec::PrefixEnd(*key) : *key;
        if (!descending) {
          end_ = std::min(end_, edge);
        } else {
          start_ = std::max(start_, edge);
        }
      }
    }
    if (start_ >= end_) done_ = true;
  }

  // The rows of the next index entries: each entry names its row's
  // primary key (after the indexed values, or as its value); a covering
  // scan takes the row from the entry itself. Entries are read in batches
  // of kBatchSize, but where each costs a read of its row, rows are
  // fetched in growing runs (16, 64, ...), so that a LIMIT above reads few.
  absl::Status NextFromIndex(RowBatch* batch) {
    const catalog::TableInfo& table = *plan_.table;
    if (entry_pos_ == entries_.size()) {
      if (entries_exhausted_) {
        done_ = true;
        return absl::OkStatus();
      }
      CAIRN_ASSIGN_OR_RETURN(entries_, ReadSpan());
      entry_pos_ = 0;
      if (entries_.size() < kBatchSize) entries_exhausted_ = true;
      return absl::OkStatus();
    }
    const size_t left = entries_.size() - entry_pos_;
    const size_t run = plan_.scan.covering ? left : std::min(fetch_run_, left);
    fetch_run_ = std::min(fetch_run_ * 4, kBatchSize);
    const std::string rows_prefix =
        catalog::catalog_keys::IndexPrefix(table.id(), table.primary_index_id());
    std::vector<std::string> row_keys;  // a run that is not covering: read in one batch
    for (size_t i = entry_pos_; i < entry_pos_ + run; ++i) {
      const auto& kv = entries_[i];
      CAIRN_ASSIGN_OR_RETURN(catalog::DecodedIndexEntry entry,
                             catalog::DecodeIndexEntry(table, *index_, kv.key, kv.value));
      if (plan_.scan.covering) {
        CAIRN_RETURN_IF_ERROR(Emit(std::move(entry.row), rows_prefix + entry.primary_key, batch));
      } else {
        row_keys.push_back(rows_prefix + entry.primary_key);
      }
    }
    entry_pos_ += run;
    if (row_keys.empty()) return absl::OkStatus();
    CAIRN_ASSIGN_OR_RETURN(auto values, ctx_->txn->BatchGet(row_keys));
    for (size_t i = 0; i < row_keys.size(); ++i) {
      if (!values[i]) {
        return MakeError(ErrorCode::kIndexCorrupted,
                         absl::StrFormat("index \"%s\" names a row \"%s\" does not have",
                                         index_->name, table.name()));
      }
      CAIRN_ASSIGN_OR_RETURN(Row row, catalog::DecodeRow(table, row_keys[i], *values[i]));
      CAIRN_RETURN_IF_ERROR(Emit(std::move(row), row_keys[i], batch));
    }
    return absl::OkStatus();
  }

  absl::Status ComputeSpan() {
    const catalog::TableInfo& table = *plan_.table;
    const ScanSpec& spec = plan_.scan;
    if (spec.access == ScanSpec::Access::kIndexScan) return ComputeIndexSpan();
    std::vector<Value> prefix_values;
    for (size_t k = 0; k < spec.key_values.size(); ++k) {
      auto v = KeyValue(*spec.key_values[k], k);
      if (!v.ok()) {
        // A constant that can't be a key value (out of the column's range)
        // matches nothing.
        done_ = true;
        return absl::OkStatus();
      }
      prefix_values.push_back(std::move(*v));
    }
    std::string prefix = catalog::EncodePrimaryKeyPrefix(table, prefix_values);
    if (spec.access == ScanSpec::Access::kPointGet) {
      point_key_ = prefix;
      return absl::OkStatus();
    }
    start_ = prefix;
    end_ = key_codec::PrefixEnd(prefix);
    const size_t next = spec.key_values.size();
    if (next < table.primary_key().size()) {
      ApplyBounds(prefix, table.primary_key()[next], table.primary_key_descending()[next]);
    }
    return absl::OkStatus();
  }

  const planner::PlanNode& plan_;
  ExecContext* ctx_;
  bool started_ = false;
  bool done_ = false;
  std::optional<std::string> point_key_;
  const catalog::IndexInfo* index_ = nullptr;  // kIndexScan
  // kIndexScan: the entries read, the next to take, whether the span has
  // more, and how many rows the next run fetches.
  std::vector<kv::KeyValue> entries_;
  size_t entry_pos_ = 0;
  bool entries_exhausted_ = false;
  size_t fetch_run_ = 16;
  std::string start_, end_;
  std::unique_ptr<FragmentSpanReader> fragments_;  // a pushed-down scan
};

}  // namespace

OperatorPtr MakeScanOperator(const planner::PlanNode& plan, ExecContext* ctx) {
  return std::make_unique<ScanOperator>(plan, ctx);
}

}  // namespace cairn::executor
