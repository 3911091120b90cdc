#include "planner/optimizer/leaseholder_pushdown.h"

#include "absl/container/flat_hash_set.h"

namespace cairn::planner {
namespace {

// Functions of their arguments alone: no session, clock, catalog or
// randomness behind them.
bool PureFunction(const std::string& name) {
  static const auto* kPure = new absl::flat_hash_set<std::string>{"abs",
                                                                  "round",
                                                                  "ceil",
                                                                  "ceiling",
                                                                  "floor",
                                                                  "trunc",
                                                                  "mod",
                                                                  "power",
                                                                  "sqrt",
                                                                  "exp",
                                                                  "ln",
                                                                  "sign",
                                                                  "lower",
                                                                  "upper",
                                                                  "length",
                                                                  "char_length",
                                                                  "octet_length",
                                                                  "btrim",
                                                                  "ltrim",
                                                                  "rtrim",
                                                                  "substring",
                                                                  "substr",
                                                                  "strpos",
                                                                  "position",
                                                                  "replace",
                                                                  "left",
                                                                  "right",
                                                                  "concat",
                                                                  "concat_ws",
                                                                  "repeat",
                                                                  "lpad",
                                                                  "rpad",
                                                                  "split_part",
                                                                  "reverse",
                                                                  "initcap",
                                                                  "date_trunc",
                                                                  "extract",
                                                                  "date_part",
                                                                  "coalesce",
                                                                  "nullif",
                                                                  "greatest",
                                                                  "least",
                                                                  "cairn_regex_match",
                                                                  "regexp_replace"};
  return kPure->contains(name);
}

// Aggregates whose partial states merge (Accumulator::PartialState).
bool MergeableAggregate(const AggregateCall& call) {
  const std::string& f = call.function;
  const bool mergeable = f == "count" || f == "sum" || f == "avg" || f == "min" || f == "max" ||
                         f == "bool_and" || f == "bool_or" || f == "every";
  return mergeable && !call.distinct && call.order_by.empty() && call.delimiter == nullptr &&
         (call.arg == nullptr || EvaluableAtLeaseholder(*call.arg));
}

bool Shippable(const PlanNode& scan) {
  if (scan.lock_rows || scan.scan.reverse) return false;
  switch (scan.scan.access) {
    case ScanSpec::Access::kFullScan:
    case ScanSpec::Access::kRangeScan:
      return true;
    case ScanSpec::Access::kIndexScan:
      return scan.scan.covering;  // else each entry's row is fetched by key
    case ScanSpec::Access::kPointGet:
      return false;  // one row: nothing to save
  }
  return false;
}

void EnableForScan(PlanNode* scan) {
  ScanPushdown& pushdown = scan->pushdown;
  pushdown.enabled = true;
  pushdown.filter = scan->predicate == nullptr || EvaluableAtLeaseholder(*scan->predicate);
  const std::vector<bool>& read = scan->scan.columns_read;
  for (size_t i = 0; i < scan->table->columns().size(); ++i) {
    if (read.empty() || read[i]) pushdown.columns.push_back(static_cast<int>(i));
  }
}

// An aggregate over `scan` (its only input) evaluated in part at the
// leaseholders: the scan takes a copy of the grouping and the calls and
// yields partial states; the aggregate merges them.
void PushPartialAggregate(PlanNode* aggregate, PlanNode* scan) {
  if (!scan->pushdown.filter) return;
  for (const auto& g : aggregate->group_by) {
    if (!EvaluableAtLeaseholder(*g)) return;
  }
  for (const AggregateCall& call : aggregate->aggregates) {
    if (!MergeableAggregate(call)) return;
  }
  scan->pushdown.partial_aggregate = true;
  scan->group_by.clear();
  for (const auto& g : aggregate->group_by) scan->group_by.push_back(g->Clone());
  scan->aggregates.clear();
  std::vector<OutputColumn> output;
  for (const auto& g : aggregate->group_by) output.push_back({g->ToString(), g->type});
  for (const AggregateCall& call : aggregate->aggregates) {
    AggregateCall copy;
    copy.function = call.function;
    if (call.arg) copy.arg = call.arg->Clone();
    copy.type = call.type;
    scan->aggregates.push_back(std::move(copy));
    output.push_back({call.function + " state", call.type});
    output.push_back({call.function + " count", SqlType::Of(TypeId::kInt64)});
  }
  scan->output = std::move(output);
  aggregate->merges_partials = true;
}

void Visit(PlanNode* node) {
  switch (node->kind) {
    case PlanKind::kInsert:
    case PlanKind::kUpdate:
    case PlanKind::kDelete:
      return;  // writers need whole rows and their keys, read in the transaction
    case PlanKind::kScan:
      if (Shippable(*node)) EnableForScan(node);
      return;
    case PlanKind::kJoin:
      Visit(node->children[0].get());
      if (!node->lookup_join) Visit(node->children[1].get());
      return;
    default:
      break;
  }
  for (PlanPtr& child : node->children) Visit(child.get());
  if (node->kind == PlanKind::kAggregate && node->children[0]->kind == PlanKind::kScan &&
      node->children[0]->pushdown.enabled) {
    PushPartialAggregate(node, node->children[0].get());
  }
  if (node->kind == PlanKind::kLimit && node->limit != nullptr) {
    // Projections keep one row per row: the limit holds below them too.
    PlanNode* below = node->children[0].get();
    while (below->kind == PlanKind::kProject) below = below->children[0].get();
    if (below->kind == PlanKind::kScan && below->pushdown.enabled && below->pushdown.filter &&
        !below->pushdown.partial_aggregate && EvaluableAtLeaseholder(*node->limit) &&
        (node->offset == nullptr || EvaluableAtLeaseholder(*node->offset))) {
      below->pushdown.limit = node->limit->Clone();
      if (node->offset) below->pushdown.offset = node->offset->Clone();
    }
  }
}

}  // namespace

bool EvaluableAtLeaseholder(const BoundExpr& e) {
  switch (e.kind) {
    case BoundExprKind::kSubquery:
    case BoundExprKind::kOuterColumn:
      return false;
    case BoundExprKind::kFunction:
      if (!PureFunction(e.name)) return false;
      break;
    default:
      break;
  }
  for (const auto& c : e.children) {
    if (!EvaluableAtLeaseholder(*c)) return false;
  }
  return true;
}

void PushDownToLeaseholders(PlanNode* plan) { Visit(plan); }

}  // namespace cairn::planner
