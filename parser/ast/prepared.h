#pragma once

#include <string>
#include <vector>

#include "parser/ast/expr.h"
#include "parser/ast/statement.h"
#include "parser/ast/type_name.h"

namespace cairn::ast {

// PREPARE name [(type, ...)] AS statement: a named prepared statement made
// with SQL rather than the extended protocol's Parse.
struct PrepareStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kPrepare;
  PrepareStatement() : Statement(kKind) {}
  std::string ToString() const override;

  std::string name;
  std::vector<TypeName> types;  // of $1, $2, ...; the rest are inferred
  StatementPtr statement;       // SELECT, INSERT, UPDATE or DELETE
};

// EXECUTE name [(value, ...)].
struct ExecuteStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kExecute;
  ExecuteStatement() : Statement(kKind) {}
  std::string ToString() const override;

  std::string name;
  ExprList args;
};

// DEALLOCATE [PREPARE] name | ALL.
struct DeallocateStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kDeallocate;
  DeallocateStatement() : Statement(kKind) {}
  std::string ToString() const override;

  std::string name;  // empty: ALL
};

}  // namespace cairn::ast
