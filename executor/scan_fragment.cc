#include "executor/scan_fragment.h"

#include "absl/container/flat_hash_map.h"
#include "catalog/row_codec.h"
#include "common/error_code.h"
#include "common/metrics.h"
#include "executor/expression_codec.h"
#include "executor/expression_evaluator.h"
#include "executor/operators/accumulator.h"
#include "executor/row_format.h"
#include "proto/fragment.pb.h"

namespace cairn::executor {
namespace {

// An answer is at most about this large: the gateway holds a few at once
// (one per range it reads in parallel), so this bounds its memory.
constexpr uint64_t kMaxOutputBytes = 512 << 10;
// A partial aggregation answers once it holds this many groups; the
// gateway merges groups that several answers share.
constexpr size_t kMaxGroupsPerAnswer = 16384;

Counter* FragmentRowsRead() {
  static Counter* c = MetricRegistry::Global().GetCounter(
      "cairn_sql_fragment_rows_read_total",
      "Rows that plan fragments read at this node as a range's leaseholder (or as the gateway)");
  return c;
}

// Every column an expression reads must be one of the table's.
absl::Status CheckColumns(const planner::BoundExpr& e, size_t width) {
  if (e.kind == planner::BoundExprKind::kColumn &&
      (e.column_index < 0 || static_cast<size_t>(e.column_index) >= width)) {
    return MakeError(ErrorCode::kInternal, "plan fragment reads a column its table lacks");
  }
  for (const auto& c : e.children) CAIRN_RETURN_IF_ERROR(CheckColumns(*c, width));
  return absl::OkStatus();
}

class ScanFragmentRun final : public kv::FragmentRun {
 public:
  explicit ScanFragmentRun(std::shared_ptr<const ScanFragment> fragment)
      : fragment_(std::move(fragment)) {}
  // Counted once per run, not per row: parallel runs would contend on it.
  ~ScanFragmentRun() override { FragmentRowsRead()->Add(static_cast<int64_t>(rows_read_)); }

  absl::StatusOr<bool> Add(std::string_view key, std::string_view value) override {
    const ScanFragment& f = *fragment_;
    ++rows_read_;
    Row row;
    if (f.index == nullptr) {
      CAIRN_ASSIGN_OR_RETURN(row, catalog::DecodeRow(f.table, key, value));
    } else {
      CAIRN_ASSIGN_OR_RETURN(catalog::DecodedIndexEntry entry,
                             catalog::DecodeIndexEntry(f.table, *f.index, key, value));
      row = std::move(entry.row);
    }
    if (f.filter) {
      CAIRN_ASSIGN_OR_RETURN(bool pass, EvaluatePredicate(*f.filter, row, &ctx_));
      if (!pass) return true;
    }
    if (f.partial_aggregate) return Aggregate(row);
    Row sent;
    sent.reserve(f.columns.size());
    for (int c : f.columns) sent.push_back(std::move(row[c]));
    AppendRow(sent, &output_);
    ++rows_;
    return (f.limit == 0 || rows_ < f.limit) && output_.size() < f.max_output_bytes;
  }

  absl::StatusOr<std::string> Finish() override {
    if (fragment_->partial_aggregate) {
      for (auto& [key, accs] : groups_) {
        Row out = key;
        for (const auto& acc : accs) {
          out.push_back(acc->PartialState());
          out.push_back(Value::Int64(acc->count()));
        }
        AppendRow(out, &output_);
      }
      groups_.clear();
    }
    return std::move(output_);
  }

 private:
  using Accumulators = std::vector<std::unique_ptr<Accumulator>>;

  absl::StatusOr<bool> Aggregate(const Row& row) {
    const ScanFragment& f = *fragment_;
    Row key;
    key.reserve(f.group_by.size());
    for (const auto& g : f.group_by) {
      CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*g, row, &ctx_));
      key.push_back(std::move(v));
    }
    auto it = groups_.find(key);
    if (it == groups_.end()) {
      Accumulators accs;
      for (const auto& call : f.aggregates) accs.push_back(std::make_unique<Accumulator>(call));
      it = groups_.emplace(std::move(key), std::move(accs)).first;
    }
    for (size_t i = 0; i < f.aggregates.size(); ++i) {
      Value v = Value::Int64(1);  // count(*)
      if (f.aggregates[i].arg) {
        CAIRN_ASSIGN_OR_RETURN(v, Evaluate(*f.aggregates[i].arg, row, &ctx_));
      }
      CAIRN_RETURN_IF_ERROR(it->second[i]->Add(v));
    }
    return groups_.size() < kMaxGroupsPerAnswer;
  }

  const std::shared_ptr<const ScanFragment> fragment_;
  // Expressions are evaluated without a session: shipped expressions
  // depend on their row alone (planner::EvaluableAtLeaseholder).
  ExecContext ctx_;
  std::string output_;
  uint64_t rows_ = 0;       // sent
  uint64_t rows_read_ = 0;  // added
  absl::flat_hash_map<Row, Accumulators, RowHash, RowEq> groups_;
};

}  // namespace

absl::StatusOr<std::string> EncodeScanFragment(const planner::PlanNode& scan, ExecContext* ctx,
                                               uint64_t limit) {
  const planner::ScanPushdown& pushdown = scan.pushdown;
  proto::ScanFragmentProto p;
  *p.mutable_table() = scan.table->descriptor();
  if (scan.scan.access == planner::ScanSpec::Access::kIndexScan) {
    p.set_index_id(scan.scan.index_id);
  }
  if (pushdown.filter && scan.predicate) {
    CAIRN_ASSIGN_OR_RETURN(*p.mutable_filter(), ExprToProto(*scan.predicate, ctx));
  }
  for (int c : pushdown.columns) p.add_columns(c);
  p.set_limit(limit);
  p.set_partial_aggregate(pushdown.partial_aggregate);
  if (pushdown.partial_aggregate) {
    for (const auto& g : scan.group_by) {
      CAIRN_ASSIGN_OR_RETURN(*p.add_group_by(), ExprToProto(*g, ctx));
    }
    for (const planner::AggregateCall& call : scan.aggregates) {
      proto::AggregateProto* a = p.add_aggregates();
      a->set_function(call.function);
      if (call.arg) {
        CAIRN_ASSIGN_OR_RETURN(*a->mutable_arg(), ExprToProto(*call.arg, ctx));
      }
      *a->mutable_type() = SqlTypeToProto(call.type);
    }
  }
  p.set_max_output_bytes(kMaxOutputBytes);
  return p.SerializeAsString();
}

absl::StatusOr<std::shared_ptr<const ScanFragment>> DecodeScanFragment(std::string_view encoded) {
  proto::ScanFragmentProto p;
  if (!p.ParseFromArray(encoded.data(), static_cast<int>(encoded.size()))) {
    return MakeError(ErrorCode::kInternal, "malformed plan fragment");
  }
  auto f = std::make_shared<ScanFragment>(catalog::TableInfo(p.table()));
  const size_t width = f->table.columns().size();
  if (p.index_id() != 0) {
    for (const catalog::IndexInfo& index : f->table.all_indexes()) {
      if (index.id == p.index_id()) f->index = &index;
    }
    if (f->index == nullptr) return MakeError(ErrorCode::kInternal, "plan fragment's index");
  }
  if (p.has_filter()) {
    CAIRN_ASSIGN_OR_RETURN(f->filter, ExprFromProto(p.filter()));
    CAIRN_RETURN_IF_ERROR(CheckColumns(*f->filter, width));
  }
  for (int c : p.columns()) {
    if (c < 0 || static_cast<size_t>(c) >= width) {
      return MakeError(ErrorCode::kInternal, "plan fragment sends a column its table lacks");
    }
    f->columns.push_back(c);
  }
  f->limit = p.limit();
  f->partial_aggregate = p.partial_aggregate();
  for (const auto& g : p.group_by()) {
    CAIRN_ASSIGN_OR_RETURN(planner::BoundExprPtr e, ExprFromProto(g));
    CAIRN_RETURN_IF_ERROR(CheckColumns(*e, width));
    f->group_by.push_back(std::move(e));
  }
  for (const auto& a : p.aggregates()) {
    planner::AggregateCall call;
    call.function = a.function();
    if (a.has_arg()) {
      CAIRN_ASSIGN_OR_RETURN(call.arg, ExprFromProto(a.arg()));
      CAIRN_RETURN_IF_ERROR(CheckColumns(*call.arg, width));
    }
    call.type = SqlTypeFromProto(a.type());
    f->aggregates.push_back(std::move(call));
  }
  f->max_output_bytes = p.max_output_bytes() == 0 ? kMaxOutputBytes : p.max_output_bytes();
  return std::shared_ptr<const ScanFragment>(std::move(f));
}

std::unique_ptr<kv::FragmentRun> NewScanFragmentRun(std::shared_ptr<const ScanFragment> fragment) {
  return std::make_unique<ScanFragmentRun>(std::move(fragment));
}

absl::Status ReadScanFragmentOutput(std::string_view output, const planner::PlanNode& scan,
                                    std::vector<Row>* rows) {
  const auto& columns = scan.table->columns();
  const std::vector<int>& sent = scan.pushdown.columns;
  Row row;
  while (!output.empty()) {
    CAIRN_RETURN_IF_ERROR(ReadRow(&output, &row));
    if (scan.pushdown.partial_aggregate) {
      rows->push_back(std::move(row));
      continue;
    }
    if (row.size() != sent.size()) {
      return MakeError(ErrorCode::kInternal, "plan fragment sent rows of another width");
    }
    Row full;
    full.reserve(columns.size());
    for (const catalog::ColumnInfo& c : columns) full.push_back(Value::NullOf(c.type));
    for (size_t j = 0; j < sent.size(); ++j) full[sent[j]] = std::move(row[j]);
    rows->push_back(std::move(full));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<kv::FragmentRun>> ScanFragmentEvaluator::Start(
    std::string_view fragment) {
  CAIRN_ASSIGN_OR_RETURN(std::shared_ptr<const ScanFragment> decoded, DecodeScanFragment(fragment));
  return NewScanFragmentRun(std::move(decoded));
}

}  // namespace cairn::executor
