// EXPLAIN: the plan tree as text, one node per line with its details.
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "planner/optimizer/cardinality.h"
#include "planner/plan.h"

namespace cairn::planner {
namespace {

const catalog::IndexInfo* ScanIndex(const PlanNode& scan) {
  for (const catalog::IndexInfo& index : scan.table->indexes()) {
    if (index.id == scan.scan.index_id) return &index;
  }
  return nullptr;
}

std::string KeyText(const PlanNode& scan) {
  const auto& table = *scan.table;
  // The key's columns: the index's or the primary key's.
  std::vector<int> key = table.primary_key();
  if (scan.scan.access == ScanSpec::Access::kIndexScan) {
    const catalog::IndexInfo* index = ScanIndex(scan);
    key = index != nullptr ? index->columns : std::vector<int>{};
  }
  std::vector<std::string> parts;
  for (size_t i = 0; i < scan.scan.key_values.size() && i < key.size(); ++i) {
    parts.push_back(absl::StrCat(table.columns()[key[i]].name, " = ",
                                 scan.scan.key_values[i]->ToString()));
  }
  size_t next = scan.scan.key_values.size();
  if (next < key.size()) {
    const std::string& col = table.columns()[key[next]].name;
    if (scan.scan.lower) {
      parts.push_back(absl::StrCat(col, scan.scan.lower_inclusive ? " >= " : " > ",
                                   scan.scan.lower->ToString()));
    }
    if (scan.scan.upper) {
      parts.push_back(absl::StrCat(col, scan.scan.upper_inclusive ? " <= " : " < ",
                                   scan.scan.upper->ToString()));
    }
  }
  return absl::StrJoin(parts, " AND ");
}

std::string NodeText(const PlanNode& node) {
  switch (node.kind) {
    case PlanKind::kValues:
      return absl::StrCat("Values (", node.rows.size(), node.rows.size() == 1 ? " row)" : " rows)");
    case PlanKind::kScan: {
      std::string name = node.table->name();
      const char* backward = node.scan.reverse ? " Backward" : "";
      switch (node.scan.access) {
        case ScanSpec::Access::kPointGet:
          return absl::StrCat("Point Get on ", name, " using ", node.table->primary_index_name(),
                              " (", KeyText(node), ")");
        case ScanSpec::Access::kRangeScan:
          return absl::StrCat("Range Scan", backward, " on ", name, " using ",
                              node.table->primary_index_name(), " (", KeyText(node), ")");
        case ScanSpec::Access::kFullScan:
          return absl::StrCat("Full Scan", backward, " on ", name);
        case ScanSpec::Access::kIndexScan: {
          const catalog::IndexInfo* index = ScanIndex(node);
          const std::string keys = KeyText(node);
          return absl::StrCat(node.scan.covering ? "Index Only Scan" : "Index Scan", backward,
                              " on ", name, " using ", index ? index->name : "?",
                              keys.empty() ? "" : absl::StrCat(" (", keys, ")"));
        }
      }
      return name;
    }
    case PlanKind::kFilter: return "Filter";
    case PlanKind::kProject: return "Project";
    case PlanKind::kProjectSet: return "ProjectSet";
    case PlanKind::kWindow: return "WindowAgg";
    case PlanKind::kAggregate:
      return absl::StrCat(node.merges_partials ? "Finalize " : "",
                          node.group_by.empty() ? "Aggregate" : "Hash Aggregate");
    case PlanKind::kSort: return "Sort";
    case PlanKind::kLimit: return "Limit";
    case PlanKind::kDistinct: return "Hash Distinct";
    case PlanKind::kJoin: {
      if (node.lookup_join) {
        return absl::StrCat(node.join_type == JoinType::kLeft ? "Lookup Left Join" : "Lookup Join",
                            " on ", node.children[1]->table->name(), " using ",
                            node.children[1]->table->primary_index_name());
      }
      const bool hash = !node.left_keys.empty();
      const char* method = node.merge_join ? "Merge" : hash ? "Hash" : "Nested Loop";
      switch (node.join_type) {
        case JoinType::kInner:
        case JoinType::kCross:
          return hash ? absl::StrCat(method, " Join") : "Nested Loop";
        case JoinType::kLeft: return absl::StrCat(method, " Left Join");
        case JoinType::kRight: return absl::StrCat(method, " Right Join");
        case JoinType::kFull: return absl::StrCat(method, " Full Join");
      }
      return method;
    }
    case PlanKind::kSeries: return "Function Scan on generate_series";
    case PlanKind::kRecursiveUnion: return "Recursive Union";
    case PlanKind::kWorkTable: return "WorkTable Scan";
    case PlanKind::kSetOp: {
      if (node.set_op == SetOp::kUnion) return node.set_all ? "Append" : "Hash Union";
      return absl::StrCat("HashSetOp ", node.set_op == SetOp::kIntersect ? "Intersect" : "Except",
                          node.set_all ? " All" : "");
    }
    case PlanKind::kInsert: return absl::StrCat("Insert on ", node.table->name());
    case PlanKind::kUpdate: return absl::StrCat("Update on ", node.table->name());
    case PlanKind::kDelete: return absl::StrCat("Delete on ", node.table->name());
  }
  return "?";
}

// What a scan's leaseholders do for it (ScanPushdown), e.g. "filter,
// columns (id, amount), partial aggregate (count(*), sum(amount))".
std::string PushdownText(const PlanNode& scan) {
  const ScanPushdown& pushdown = scan.pushdown;
  std::vector<std::string> parts;
  if (pushdown.filter && scan.predicate) parts.push_back("filter");
  if (pushdown.partial_aggregate) {
    std::vector<std::string> calls;
    for (const AggregateCall& call : scan.aggregates) {
      calls.push_back(absl::StrCat(call.function, "(", call.arg ? call.arg->ToString() : "*", ")"));
    }
    parts.push_back(absl::StrCat("partial aggregate (", absl::StrJoin(calls, ", "), ")"));
  } else {
    std::vector<std::string> columns;
    for (int c : pushdown.columns) columns.push_back(scan.table->columns()[c].name);
    parts.push_back(absl::StrCat("columns (", absl::StrJoin(columns, ", "), ")"));
  }
  if (pushdown.limit) parts.push_back(absl::StrCat("limit ", pushdown.limit->ToString()));
  return absl::StrJoin(parts, ", ");
}

void Explain(const PlanNode& node, int depth,
             const std::function<std::string(const PlanNode&)>& annotate,
             std::vector<std::string>* lines) {
  std::string indent = depth == 0 ? "" : std::string(depth * 6 - 6, ' ') + "  ->  ";
  std::string detail_indent(depth == 0 ? 2 : depth * 6 + 2, ' ');
  std::string line = indent + NodeText(node);
  // The planner's estimate, where statistics (or the plan itself) give one.
  if (std::optional<double> rows = EstimateRows(node)) {
    absl::StrAppend(&line, absl::StrFormat("  (estimated rows=%.0f)", *rows));
  }
  if (annotate) absl::StrAppend(&line, "  ", annotate(node));
  lines->push_back(std::move(line));
  if ((node.kind == PlanKind::kScan || node.kind == PlanKind::kFilter) && node.predicate) {
    lines->push_back(absl::StrCat(detail_indent, "Filter: ", node.predicate->ToString()));
  }
  if (node.kind == PlanKind::kScan && node.pushdown.enabled) {
    lines->push_back(absl::StrCat(detail_indent, "Pushed to leaseholders: ", PushdownText(node)));
  }
  if (node.kind == PlanKind::kJoin && !node.left_keys.empty() && node.lookup_join) {
    std::vector<std::string> conditions;
    for (size_t i = 0; i < node.left_keys.size(); ++i) {
      conditions.push_back(absl::StrCat(node.right_keys[i]->ToString(), " = ",
                                        node.left_keys[i]->ToString()));
    }
    lines->push_back(
        absl::StrCat(detail_indent, "Lookup Cond: (", absl::StrJoin(conditions, " AND "), ")"));
  } else if (node.kind == PlanKind::kJoin && !node.left_keys.empty()) {
    std::vector<std::string> conditions;
    for (size_t i = 0; i < node.left_keys.size(); ++i) {
      conditions.push_back(absl::StrCat(node.left_keys[i]->ToString(), " = ",
                                        node.right_keys[i]->ToString()));
    }
    lines->push_back(absl::StrCat(detail_indent, node.merge_join ? "Merge Cond: (" : "Hash Cond: (",
                                  absl::StrJoin(conditions, " AND "), ")"));
  }
  if (node.kind == PlanKind::kJoin && node.predicate) {
    lines->push_back(absl::StrCat(detail_indent, "Join Filter: ", node.predicate->ToString()));
  }
  if (node.kind == PlanKind::kAggregate && !node.group_by.empty()) {
    std::vector<std::string> keys;
    for (const auto& g : node.group_by) keys.push_back(g->ToString());
    lines->push_back(absl::StrCat(detail_indent, "Group Key: ", absl::StrJoin(keys, ", ")));
  }
  if (node.kind == PlanKind::kSort) {
    std::vector<std::string> keys;
    for (const auto& k : node.sort_keys) {
      keys.push_back(absl::StrCat(k.expr->ToString(), k.descending ? " DESC" : ""));
    }
    lines->push_back(absl::StrCat(detail_indent, "Sort Key: ", absl::StrJoin(keys, ", ")));
  }
  if (node.kind == PlanKind::kJoin && node.lookup_join) {
    // The right input is read by the join itself, key by key.
    if (node.children[1]->predicate) {
      lines->push_back(absl::StrCat(detail_indent, "Lookup Filter: ",
                                    node.children[1]->predicate->ToString()));
    }
    Explain(*node.children[0], depth + 1, annotate, lines);
    return;
  }
  for (const auto& child : node.children) Explain(*child, depth + 1, annotate, lines);
}

}  // namespace

std::vector<std::string> ExplainPlan(
    const PlanNode& plan, const std::function<std::string(const PlanNode&)>& annotate) {
  std::vector<std::string> lines;
  Explain(plan, 0, annotate, &lines);
  return lines;
}

}  // namespace cairn::planner
