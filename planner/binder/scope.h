#pragma once

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/sql_type.h"

namespace cairn::planner {

// The columns visible to an expression: the output of the operator below it,
// each with the name of the table (or alias) it came from.
struct ScopeColumn {
  std::string table;  // alias or table name; empty for computed columns
  std::string name;
  SqlType type;
  bool hidden = false;  // neither expanded by * nor addressable by name
  // The other side's copy of a JOIN ... USING column: addressable only when
  // qualified (b.id), not expanded by *, as the merged column stands for it.
  bool merged_away = false;
};

class Scope {
 public:
  Scope() = default;
  explicit Scope(std::vector<ScopeColumn> columns) : columns_(std::move(columns)) {}

  // The scope of the enclosing query, for correlated subqueries.
  const Scope* parent() const { return parent_; }
  void set_parent(const Scope* parent) { parent_ = parent; }

  const std::vector<ScopeColumn>& columns() const { return columns_; }
  std::vector<ScopeColumn>& mutable_columns() { return columns_; }
  void Add(ScopeColumn c) { columns_.push_back(std::move(c)); }

  // The position of `name` (qualified by `table` when non-empty). Fails with
  // 42703 (unknown), 42702 (ambiguous) or 42P01 (unknown qualifier), carrying
  // `position`.
  absl::StatusOr<int> Resolve(const std::string& table, const std::string& name,
                              int position) const;

 private:
  std::vector<ScopeColumn> columns_;
  const Scope* parent_ = nullptr;
};

}  // namespace cairn::planner
