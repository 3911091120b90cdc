#pragma once

#include <memory>
#include <string>
#include <vector>

#include "parser/ast/expr.h"
#include "parser/ast/names.h"
#include "parser/ast/query.h"
#include "parser/ast/statement.h"
#include "parser/ast/table_ref.h"

namespace cairn::ast {

// SELECT, VALUES, set operations, and WITH ... SELECT.
struct SelectStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kSelect;
  SelectStatement() : Statement(kKind) {}
  std::string ToString() const override;

  QueryNodePtr query;
  // SELECT ... FROM ... AS OF SYSTEM TIME expr: the time to read at (a
  // timestamp, or a negative interval from now); null for now.
  ExprPtr as_of_system_time;
};

// `column = value` of UPDATE ... SET and ON CONFLICT DO UPDATE SET. The
// multi-column form (a, b) = (1, 2) is expanded to one clause per column.
struct SetClause {
  Identifier column;
  ExprPtr value;  // may be a DefaultExpr
  std::string ToString() const;
};

enum class OnConflictAction : uint8_t { kNothing, kUpdate };

struct OnConflictClause {
  std::vector<Identifier> target_columns;  // ON CONFLICT (a, b); may be empty
  std::string constraint;                  // ON CONFLICT ON CONSTRAINT name
  OnConflictAction action = OnConflictAction::kNothing;
  std::vector<SetClause> set;              // kUpdate
  ExprPtr where;                           // kUpdate ... WHERE
  int position = 0;                        // of ON
  std::string ToString() const;
};

struct InsertStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kInsert;
  InsertStatement() : Statement(kKind) {}
  std::string ToString() const override;

  std::unique_ptr<WithClause> with;
  ObjectName table;
  std::string alias;                // INSERT INTO t AS alias
  std::vector<Identifier> columns;  // empty: all columns in order
  // A ValuesNode for VALUES, any query for INSERT ... SELECT; null for
  // DEFAULT VALUES.
  QueryNodePtr source;
  std::unique_ptr<OnConflictClause> on_conflict;
  std::vector<ResultTarget> returning;  // empty: no RETURNING
};

struct UpdateStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kUpdate;
  UpdateStatement() : Statement(kKind) {}
  std::string ToString() const override;

  std::unique_ptr<WithClause> with;
  ObjectName table;
  std::string alias;
  std::vector<SetClause> set;
  std::vector<TableRefPtr> from;
  ExprPtr where;
  std::vector<ResultTarget> returning;
};

struct DeleteStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kDelete;
  DeleteStatement() : Statement(kKind) {}
  std::string ToString() const override;

  std::unique_ptr<WithClause> with;
  ObjectName table;
  std::string alias;
  std::vector<TableRefPtr> using_tables;  // DELETE ... USING
  ExprPtr where;
  std::vector<ResultTarget> returning;
};

// COPY table [(columns)] FROM STDIN | TO STDOUT [WITH (options)], and
// COPY (query) TO STDOUT. Legacy option words are normalised to the
// parenthesised form: CSV is {"format", "csv"}, HEADER {"header", ""},
// DELIMITER 'x' {"delimiter", "x"}, NULL 'x' {"null", "x"}.
struct CopyStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kCopy;
  CopyStatement() : Statement(kKind) {}
  std::string ToString() const override;

  ObjectName table;                 // empty name for COPY (query)
  std::vector<Identifier> columns;  // empty: all columns
  std::unique_ptr<SelectStatement> query;  // COPY (query) TO ...
  bool is_from = true;              // FROM (load) or TO (dump)
  std::string filename;             // empty: STDIN / STDOUT
  std::vector<Option> options;
};

}  // namespace cairn::ast
