#include "parser/ast/query.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "parser/ast/sql_text.h"

namespace cairn::ast {
namespace {

std::string JoinExprs(const ExprList& exprs) {
  return absl::StrJoin(exprs, ", ", [](std::string* out, const ExprPtr& e) {
    out->append(e->ToString());
  });
}

// A set-operation operand that is itself a set operation or carries its own
// ORDER BY/LIMIT/WITH goes in parentheses.
std::string Operand(const QueryNode& node) {
  if (node.kind == QueryNodeKind::kSetOperation || node.has_modifiers()) {
    return absl::StrCat("(", node.ToString(), ")");
  }
  return node.ToString();
}

}  // namespace

std::string OrderByItem::ToString() const {
  std::string out = expr->ToString();
  if (direction == SortDirection::kAsc) out += " ASC";
  if (direction == SortDirection::kDesc) out += " DESC";
  if (nulls == NullsOrder::kFirst) out += " NULLS FIRST";
  if (nulls == NullsOrder::kLast) out += " NULLS LAST";
  return out;
}

std::string CommonTableExpr::ToString() const {
  std::string out = QuoteIdentifier(name);
  if (!column_names.empty()) {
    absl::StrAppend(&out, "(",
                    absl::StrJoin(column_names, ", ",
                                  [](std::string* o, const std::string& c) {
                                    o->append(QuoteIdentifier(c));
                                  }),
                    ")");
  }
  return absl::StrCat(out, " AS (", query->ToString(), ")");
}

std::string WithClause::ToString() const {
  return absl::StrCat(recursive ? "WITH RECURSIVE " : "WITH ",
                      absl::StrJoin(ctes, ", ", [](std::string* o, const CommonTableExpr& c) {
                        o->append(c.ToString());
                      }));
}

std::string ResultTarget::ToString() const {
  if (alias.empty()) return expr->ToString();
  return absl::StrCat(expr->ToString(), " AS ", QuoteIdentifier(alias));
}

std::string QueryNode::ToString() const {
  std::string out;
  if (with != nullptr) out = with->ToString() + " ";
  out += BodyToString();
  if (!order_by.empty()) {
    absl::StrAppend(&out, " ORDER BY ",
                    absl::StrJoin(order_by, ", ", [](std::string* o, const OrderByItem& item) {
                      o->append(item.ToString());
                    }));
  }
  if (limit != nullptr) absl::StrAppend(&out, " LIMIT ", limit->ToString());
  if (offset != nullptr) absl::StrAppend(&out, " OFFSET ", offset->ToString());
  switch (lock_strength) {
    case LockStrength::kNone: break;
    case LockStrength::kUpdate: out += " FOR UPDATE"; break;
    case LockStrength::kNoKeyUpdate: out += " FOR NO KEY UPDATE"; break;
    case LockStrength::kShare: out += " FOR SHARE"; break;
    case LockStrength::kKeyShare: out += " FOR KEY SHARE"; break;
  }
  if (lock_wait == LockWaitPolicy::kNoWait) out += " NOWAIT";
  if (lock_wait == LockWaitPolicy::kSkipLocked) out += " SKIP LOCKED";
  return out;
}

std::string SelectNode::BodyToString() const {
  std::string out = "SELECT";
  if (distinct == DistinctKind::kDistinct) out += " DISTINCT";
  if (distinct == DistinctKind::kDistinctOn) {
    absl::StrAppend(&out, " DISTINCT ON (", JoinExprs(distinct_on), ")");
  }
  if (!targets.empty()) {
    absl::StrAppend(&out, " ",
                    absl::StrJoin(targets, ", ", [](std::string* o, const ResultTarget& t) {
                      o->append(t.ToString());
                    }));
  }
  if (!from.empty()) {
    absl::StrAppend(&out, " FROM ",
                    absl::StrJoin(from, ", ", [](std::string* o, const TableRefPtr& t) {
                      o->append(t->ToString());
                    }));
  }
  if (where != nullptr) absl::StrAppend(&out, " WHERE ", where->ToString());
  if (!group_by.empty()) absl::StrAppend(&out, " GROUP BY ", JoinExprs(group_by));
  if (having != nullptr) absl::StrAppend(&out, " HAVING ", having->ToString());
  return out;
}

std::string SetOperationNode::BodyToString() const {
  const char* name = op == SetOpType::kUnion       ? " UNION "
                     : op == SetOpType::kIntersect ? " INTERSECT "
                                                   : " EXCEPT ";
  return absl::StrCat(Operand(*left), name, all ? "ALL " : "", Operand(*right));
}

std::string ValuesNode::BodyToString() const {
  return absl::StrCat("VALUES ", absl::StrJoin(rows, ", ", [](std::string* o, const ExprList& row) {
                        absl::StrAppend(o, "(", JoinExprs(row), ")");
                      }));
}

}  // namespace cairn::ast
