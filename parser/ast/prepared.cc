#include "parser/ast/prepared.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "parser/ast/sql_text.h"

namespace cairn::ast {

std::string PrepareStatement::ToString() const {
  std::string out = absl::StrCat("PREPARE ", QuoteIdentifier(name));
  if (!types.empty()) {
    absl::StrAppend(&out, " (",
                    absl::StrJoin(types, ", ",
                                  [](std::string* o, const TypeName& t) {
                                    o->append(t.ToString());
                                  }),
                    ")");
  }
  return absl::StrCat(out, " AS ", statement->ToString());
}

std::string ExecuteStatement::ToString() const {
  std::string out = absl::StrCat("EXECUTE ", QuoteIdentifier(name));
  if (!args.empty()) {
    absl::StrAppend(&out, " (",
                    absl::StrJoin(args, ", ",
                                  [](std::string* o, const ExprPtr& e) {
                                    o->append(e->ToString());
                                  }),
                    ")");
  }
  return out;
}

std::string DeallocateStatement::ToString() const {
  return name.empty() ? "DEALLOCATE ALL" : absl::StrCat("DEALLOCATE ", QuoteIdentifier(name));
}

}  // namespace cairn::ast
