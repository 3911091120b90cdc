#include <functional>
#include <memory>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "common/error_code.h"
#include "common/value_cast.h"
#include "executor/expression_evaluator.h"
#include "executor/operator.h"
#include "executor/operators/accumulator.h"
#include "executor/row_spill.h"

namespace cairn::executor {
namespace {

// Partitions an overflowing aggregation spills to, and how deep partitions
// split again before the rest is aggregated in memory whatever it takes.
constexpr size_t kSpillPartitions = 16;
constexpr int kMaxSpillDepth = 3;
// What a group's accumulators take, roughly, beside its key.
constexpr size_t kAccumulatorBytes = 96;

// Hash aggregation: groups its input by the GROUP BY values and emits one
// row per group, the group values followed by the aggregate results. With
// no GROUP BY, emits exactly one row even for empty input. Over a scan
// whose leaseholders aggregated their rows (merges_partials), it merges
// their partial states instead.
//
// Groups beyond the session's work_mem are not held: once the groups in
// memory fill it, the input rows of other groups go to temporary files,
// partitioned by their key's hash, and each partition is aggregated after
// the groups in memory are done (again partitioning if it overflows).
class AggregateOperator : public Operator {
 public:
  AggregateOperator(const planner::PlanNode& plan, OperatorPtr child, ExecContext* ctx)
      : plan_(plan), child_(std::move(child)), ctx_(ctx) {}

  absl::StatusOr<bool> Next(RowBatch* batch) override {
    if (!done_) {
      RowBatch input;
      size_t at = 0;
      bool finished = false;
      // The child's rows, one at a time.
      auto read = [&](Row* row) -> absl::StatusOr<bool> {
        while (at >= input.size()) {
          if (finished) return false;
          input.clear();
          at = 0;
          CAIRN_ASSIGN_OR_RETURN(bool more, child_->Next(&input));
          if (!more) {
            finished = true;
            return false;
          }
        }
        *row = std::move(input[at++]);
        return true;
      };
      CAIRN_RETURN_IF_ERROR(Aggregate(read, /*depth=*/0));
      done_ = true;
    }
    batch->clear();
    while (next_ < results_.size() && batch->size() < kBatchSize) {
      batch->push_back(std::move(results_[next_++]));
    }
    return !batch->empty();
  }

 private:
  using Accumulators = std::vector<std::unique_ptr<Accumulator>>;
  using RowReader = std::function<absl::StatusOr<bool>(Row*)>;

  Accumulators NewAccumulators() {
    Accumulators accs;
    for (const auto& call : plan_.aggregates) accs.push_back(std::make_unique<Accumulator>(call));
    return accs;
  }

  absl::StatusOr<Row> GroupKey(const Row& row) {
    if (plan_.merges_partials) {
      // A partial row: its group's values come first.
      return Row(row.begin(), row.begin() + plan_.group_by.size());
    }
    Row key;
    for (const auto& e : plan_.group_by) {
      CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*e, row, ctx_));
      key.push_back(std::move(v));
    }
    return key;
  }

  // Adds `row` to a group's accumulators; the bytes the values it kept
  // take (collecting and ordered aggregates keep them).
  absl::StatusOr<size_t> AddRow(const Row& row, Accumulators& accs) {
    if (plan_.merges_partials) {
      // After the group's values, each call's state and count.
      const size_t first = plan_.group_by.size();
      for (size_t i = 0; i < accs.size(); ++i) {
        const Value& count = row[first + 2 * i + 1];
        CAIRN_RETURN_IF_ERROR(accs[i]->AddPartial(row[first + 2 * i], count.int_value()));
      }
      return 0;
    }
    size_t kept = 0;
    for (size_t i = 0; i < plan_.aggregates.size(); ++i) {
      const auto& call = plan_.aggregates[i];
      Value v = Value::Int64(1);
      if (call.arg) {
        CAIRN_ASSIGN_OR_RETURN(v, Evaluate(*call.arg, row, ctx_));
      }
      if (Accumulator::Collects(call.function) || call.delimiter != nullptr) {
        std::vector<Value> keys;
        for (const auto& key : call.order_by) {
          CAIRN_ASSIGN_OR_RETURN(Value k, Evaluate(*key.expr, row, ctx_));
          keys.push_back(std::move(k));
        }
        kept += ApproximateRowBytes(Row{v}) + ApproximateRowBytes(keys);
        if (call.delimiter == nullptr) {
          CAIRN_RETURN_IF_ERROR(accs[i]->AddCollected(v, std::move(keys)));
        } else {
          CAIRN_ASSIGN_OR_RETURN(Value delimiter, Evaluate(*call.delimiter, row, ctx_));
          accs[i]->AddOrdered(v, delimiter, std::move(keys));
        }
        continue;
      }
      CAIRN_RETURN_IF_ERROR(accs[i]->Add(v));
    }
    return kept;
  }

  absl::Status Aggregate(const RowReader& read, int depth) {
    absl::flat_hash_map<Row, size_t, RowHash, RowEq> index;
    std::vector<std::pair<Row, Accumulators>> groups;
    if (plan_.group_by.empty()) groups.emplace_back(Row{}, NewAccumulators());
    std::vector<std::unique_ptr<RowSpillFile>> partitions;
    size_t bytes = 0;
    uint64_t rows = 0;
    Row row;
    for (;;) {
      CAIRN_ASSIGN_OR_RETURN(bool more, read(&row));
      if (!more) break;
      if (++rows % 4096 == 0) CAIRN_RETURN_IF_ERROR(CheckInterrupts(*ctx_));
      size_t g = 0;
      if (!plan_.group_by.empty()) {
        CAIRN_ASSIGN_OR_RETURN(Row key, GroupKey(row));
        auto it = index.find(key);
        if (it == index.end()) {
          if (!partitions.empty()) {
            // Memory is full: this group's rows wait in their partition.
            const size_t p = absl::HashOf(RowHash()(key), depth) % kSpillPartitions;
            CAIRN_RETURN_IF_ERROR(partitions[p]->Write(row));
            continue;
          }
          bytes += ApproximateRowBytes(key) + kAccumulatorBytes * plan_.aggregates.size();
          it = index.emplace(key, groups.size()).first;
          groups.emplace_back(std::move(key), NewAccumulators());
        }
        g = it->second;
      }
      CAIRN_ASSIGN_OR_RETURN(size_t kept, AddRow(row, groups[g].second));
      bytes += kept;
      if (partitions.empty() && !plan_.group_by.empty() &&
          depth<kMaxSpillDepth&& static_cast<int64_t>(bytes)> ctx_->work_mem_bytes) {
        for (size_t p = 0; p < kSpillPartitions; ++p) {
          CAIRN_ASSIGN_OR_RETURN(std::unique_ptr<RowSpillFile> file, RowSpillFile::Create());
          partitions.push_back(std::move(file));
        }
      }
    }
    for (auto& [key, accs] : groups) {
      Row out = key;
      for (const auto& acc : accs) {
        CAIRN_ASSIGN_OR_RETURN(Value v, acc->Result());
        out.push_back(std::move(v));
      }
      results_.push_back(std::move(out));
    }
    groups.clear();
    index.clear();
    for (auto& partition : partitions) {
      CAIRN_RETURN_IF_ERROR(partition->Rewind());
      RowSpillFile* file = partition.get();
      CAIRN_RETURN_IF_ERROR(Aggregate([file](Row* r) { return file->Read(r); }, depth + 1));
      partition.reset();
    }
    return absl::OkStatus();
  }

  const planner::PlanNode& plan_;
  OperatorPtr child_;
  ExecContext* ctx_;
  bool done_ = false;
  std::vector<Row> results_;
  size_t next_ = 0;
};

}  // namespace

OperatorPtr MakeAggregateOperator(const planner::PlanNode& plan, OperatorPtr child,
                                  ExecContext* ctx) {
  return std::make_unique<AggregateOperator>(plan, std::move(child), ctx);
}

}  // namespace cairn::executor
