#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "parser/ast/expr.h"
#include "parser/ast/names.h"
#include "parser/ast/query.h"
#include "parser/ast/statement.h"
#include "parser/ast/type_name.h"

namespace cairn::ast {

struct CreateDatabaseStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kCreateDatabase;
  CreateDatabaseStatement() : Statement(kKind) {}
  std::string ToString() const override;

  Identifier name;
};

struct DropDatabaseStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kDropDatabase;
  DropDatabaseStatement() : Statement(kKind) {}
  std::string ToString() const override;

  Identifier name;
  bool if_exists = false;
};

enum class ConstraintKind : uint8_t {
  kNull,        // NULL (column only)
  kNotNull,     // NOT NULL (column only)
  kDefault,     // DEFAULT expr (column only)
  kPrimaryKey,
  kUnique,
  kCheck,
  kForeignKey,  // REFERENCES / FOREIGN KEY
};

enum class ReferentialAction : uint8_t { kNoAction, kRestrict, kCascade, kSetNull, kSetDefault };

// A column or table constraint; DEFAULT counts as a column constraint, as in
// PostgreSQL's grammar. Column constraints keep their written order.
struct Constraint {
  ConstraintKind kind = ConstraintKind::kNotNull;
  std::string name;                 // CONSTRAINT name; empty when not given
  int position = 0;                 // of CONSTRAINT, else of the constraint's keyword
  std::vector<Identifier> columns;  // table constraints: the constrained columns
  ExprPtr expr;                     // kCheck, kDefault
  // kForeignKey:
  ObjectName ref_table;
  std::vector<Identifier> ref_columns;  // empty: the referenced primary key
  ReferentialAction on_delete = ReferentialAction::kNoAction;
  ReferentialAction on_update = ReferentialAction::kNoAction;
  // [NOT] DEFERRABLE [INITIALLY DEFERRED | IMMEDIATE]: whether the check
  // may wait for COMMIT, and whether it does unless SET CONSTRAINTS says.
  bool deferrable = false;
  bool initially_deferred = false;

  // As written after a column (`is_column`) or in the element list.
  std::string ToString(bool is_column) const;
};

struct ColumnDef {
  Identifier name;
  TypeName type;
  std::vector<Constraint> constraints;

  // The last DEFAULT constraint's expression, or null.
  const Expr* default_expr() const;
  // Has NOT NULL or PRIMARY KEY among its constraints.
  bool not_null() const;
  std::string ToString() const;
};

struct CreateTableStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kCreateTable;
  CreateTableStatement() : Statement(kKind) {}
  std::string ToString() const override;

  ObjectName name;
  bool if_not_exists = false;
  std::vector<ColumnDef> columns;
  std::vector<Constraint> constraints;  // table constraints
  std::vector<Option> storage_params;   // WITH (fillfactor = 100); accepted, unused
};

enum class DropBehavior : uint8_t { kDefault, kRestrict, kCascade };

struct DropTableStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kDropTable;
  DropTableStatement() : Statement(kKind) {}
  std::string ToString() const override;

  std::vector<ObjectName> names;
  bool if_exists = false;
  DropBehavior behavior = DropBehavior::kDefault;
};

struct IndexElem {
  Identifier column;  // name empty when `expr` is set
  ExprPtr expr;       // CREATE INDEX ... ((lower(a)))
  SortDirection direction = SortDirection::kDefault;
  NullsOrder nulls = NullsOrder::kDefault;
  std::string ToString() const;
};

// COMMENT ON TABLE t | COLUMN t.c IS 'text' | NULL.
struct CommentStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kComment;
  CommentStatement() : Statement(kKind) {}
  std::string ToString() const override;

  bool column = false;
  ObjectName table;         // for a column: its table
  std::string column_name;  // column
  std::optional<std::string> comment;  // nullopt: NULL, which removes it
};

struct CreateIndexStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kCreateIndex;
  CreateIndexStatement() : Statement(kKind) {}
  std::string ToString() const override;

  Identifier name;  // empty name: let the system choose
  bool unique = false;
  bool if_not_exists = false;
  ObjectName table;
  std::string method;  // USING btree; empty when not given
  std::vector<IndexElem> elems;
  std::vector<Identifier> storing;  // INCLUDE (...) / STORING (...)
  ExprPtr where;                    // partial index
};

struct DropIndexStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kDropIndex;
  DropIndexStatement() : Statement(kKind) {}
  std::string ToString() const override;

  std::vector<ObjectName> names;
  bool if_exists = false;
  DropBehavior behavior = DropBehavior::kDefault;
};

enum class AlterTableCmdKind : uint8_t {
  kAddColumn,         // column_def, if_not_exists
  kDropColumn,        // name, if_exists, behavior
  kSetDefault,        // name, expr
  kDropDefault,       // name
  kSetNotNull,        // name
  kDropNotNull,       // name
  kAlterType,         // name, type
  kAddConstraint,     // constraint
  kDropConstraint,    // name, if_exists, behavior
  kRenameColumn,      // name -> new_name
  kRenameConstraint,  // name -> new_name
  kRenameTable,       // new_name
  kSplitAt,           // split_rows (CairnDB: divides the table's range)
};

struct AlterTableCmd {
  AlterTableCmdKind kind = AlterTableCmdKind::kAddColumn;
  int position = 0;
  std::optional<ColumnDef> column_def;
  std::optional<Constraint> constraint;
  Identifier name;      // the column or constraint acted on
  Identifier new_name;  // renames
  ExprPtr expr;         // kSetDefault
  TypeName type;        // kAlterType
  // kSplitAt: rows of leading primary key values (nullptr: DEFAULT).
  std::vector<std::vector<ExprPtr>> split_rows;
  bool if_exists = false;
  bool if_not_exists = false;
  DropBehavior behavior = DropBehavior::kDefault;
  std::string ToString() const;
};

struct AlterTableStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kAlterTable;
  AlterTableStatement() : Statement(kKind) {}
  std::string ToString() const override;

  ObjectName table;
  bool if_exists = false;
  std::vector<AlterTableCmd> cmds;
};

struct TruncateStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kTruncate;
  TruncateStatement() : Statement(kKind) {}
  std::string ToString() const override;

  std::vector<ObjectName> tables;
  DropBehavior behavior = DropBehavior::kDefault;
};

// VACUUM [FULL] [FREEZE] [VERBOSE] [ANALYZE] [tables] and ANALYZE [VERBOSE]
// [tables]: maintenance that MVCC garbage collection makes a no-op here,
// parsed so that tools (pgbench -i) can run.
struct VacuumStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kVacuum;
  VacuumStatement() : Statement(kKind) {}
  std::string ToString() const override;

  bool vacuum = true;  // false for a plain ANALYZE
  bool full = false;
  bool freeze = false;
  bool verbose = false;
  bool analyze = false;
  std::vector<ObjectName> tables;  // empty: the whole database
};

}  // namespace cairn::ast
