#include "parser/ast/table_ref.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "parser/ast/query.h"
#include "parser/ast/sql_text.h"

namespace cairn::ast {

std::string TableAlias::ToString() const {
  if (name.empty()) return "";
  std::string out = absl::StrCat(" AS ", QuoteIdentifier(name));
  if (!columns.empty()) {
    absl::StrAppend(&out, "(",
                    absl::StrJoin(columns, ", ",
                                  [](std::string* o, const std::string& c) {
                                    o->append(QuoteIdentifier(c));
                                  }),
                    ")");
  }
  return out;
}

std::string BaseTableRef::ToString() const { return name.ToString() + alias.ToString(); }

SubqueryRef::SubqueryRef(int position) : TableRef(kKind, position) {}
SubqueryRef::~SubqueryRef() = default;

std::string SubqueryRef::ToString() const {
  return absl::StrCat("(", query->ToString(), ")", alias.ToString());
}

std::string JoinRef::ToString() const {
  // A join on the right needs its parentheses back (one with an alias
  // prints them itself).
  std::string right_text = right->ToString();
  if (right->kind == TableRefKind::kJoin && right->alias.name.empty()) {
    right_text = absl::StrCat("(", right_text, ")");
  }
  const char* op = "JOIN";
  switch (join_type) {
    case JoinType::kInner: op = "JOIN"; break;
    case JoinType::kLeft: op = "LEFT JOIN"; break;
    case JoinType::kRight: op = "RIGHT JOIN"; break;
    case JoinType::kFull: op = "FULL JOIN"; break;
    case JoinType::kCross: op = "CROSS JOIN"; break;
  }
  std::string out =
      absl::StrCat(left->ToString(), natural ? " NATURAL " : " ", op, " ", right_text);
  if (condition != nullptr) {
    absl::StrAppend(&out, " ON ", condition->ToString());
  } else if (!using_columns.empty()) {
    absl::StrAppend(&out, " USING (",
                    absl::StrJoin(using_columns, ", ",
                                  [](std::string* o, const Identifier& id) {
                                    o->append(id.ToString());
                                  }),
                    ")");
  }
  if (!alias.name.empty()) out = absl::StrCat("(", out, ")", alias.ToString());
  return out;
}

}  // namespace cairn::ast
