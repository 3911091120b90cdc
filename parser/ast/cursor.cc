#include "parser/ast/cursor.h"

#include "absl/strings/str_cat.h"
#include "parser/ast/sql_text.h"

namespace cairn::ast {

std::string DeclareCursorStatement::ToString() const {
  return absl::StrCat("DECLARE ", QuoteIdentifier(name), binary ? " BINARY" : "",
                      scroll ? " SCROLL" : "", " CURSOR", with_hold ? " WITH HOLD" : "",
                      " FOR ", query->ToString());
}

std::string FetchStatement::ToString() const {
  std::string out = move ? "MOVE " : "FETCH ";
  switch (direction) {
    case FetchDirection::kForward:
      absl::StrAppend(&out, "FORWARD ", all ? "ALL" : absl::StrCat(count));
      break;
    case FetchDirection::kBackward:
      absl::StrAppend(&out, "BACKWARD ", all ? "ALL" : absl::StrCat(count));
      break;
    case FetchDirection::kAbsolute: absl::StrAppend(&out, "ABSOLUTE ", count); break;
    case FetchDirection::kRelative: absl::StrAppend(&out, "RELATIVE ", count); break;
  }
  return absl::StrCat(out, " FROM ", QuoteIdentifier(cursor));
}

std::string CloseCursorStatement::ToString() const {
  return name.empty() ? "CLOSE ALL" : absl::StrCat("CLOSE ", QuoteIdentifier(name));
}

}  // namespace cairn::ast
