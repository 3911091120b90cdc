#include "planner/binder/scope.h"

#include "absl/strings/str_format.h"
#include "common/error_code.h"

namespace cairn::planner {

absl::StatusOr<int> Scope::Resolve(const std::string& table, const std::string& name,
                                   int position) const {
  int found = -1;
  bool table_seen = table.empty();
  for (size_t i = 0; i < columns_.size(); ++i) {
    const ScopeColumn& c = columns_[i];
    if (c.hidden) continue;  // like PostgreSQL's system columns, never resolved by name here
    if (c.merged_away && table.empty()) continue;
    if (!table.empty()) {
      if (c.table != table) continue;
      table_seen = true;
    }
    if (c.name != name) continue;
    if (found >= 0) {
      return MakeError(ErrorCode::kAmbiguousColumn,
                       absl::StrFormat("column reference \"%s\" is ambiguous", name), position);
    }
    found = static_cast<int>(i);
  }
  if (found >= 0) return found;
  if (!table_seen) {
    return MakeError(ErrorCode::kUndefinedTable,
                     absl::StrFormat("missing FROM-clause entry for table \"%s\"", table),
                     position);
  }
  std::string shown = table.empty() ? name : absl::StrFormat("%s.%s", table, name);
  return MakeError(ErrorCode::kUndefinedColumn,
                   absl::StrFormat("column \"%s\" does not exist", shown), position);
}

}  // namespace cairn::planner
