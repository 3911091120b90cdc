#include "parser/ast/ddl.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "parser/ast/sql_text.h"

namespace cairn::ast {
namespace {

std::string Names(const std::vector<Identifier>& names) {
  return absl::StrJoin(names, ", ", [](std::string* o, const Identifier& id) {
    o->append(id.ToString());
  });
}

std::string ObjectNames(const std::vector<ObjectName>& names) {
  return absl::StrJoin(names, ", ", [](std::string* o, const ObjectName& n) {
    o->append(n.ToString());
  });
}

const char* Behavior(DropBehavior behavior) {
  switch (behavior) {
    case DropBehavior::kDefault: return "";
    case DropBehavior::kRestrict: return " RESTRICT";
    case DropBehavior::kCascade: return " CASCADE";
  }
  return "";
}

const char* ActionText(ReferentialAction action) {
  switch (action) {
    case ReferentialAction::kNoAction: return "NO ACTION";
    case ReferentialAction::kRestrict: return "RESTRICT";
    case ReferentialAction::kCascade: return "CASCADE";
    case ReferentialAction::kSetNull: return "SET NULL";
    case ReferentialAction::kSetDefault: return "SET DEFAULT";
  }
  return "";
}

}  // namespace

std::string CreateDatabaseStatement::ToString() const {
  return "CREATE DATABASE " + name.ToString();
}

std::string DropDatabaseStatement::ToString() const {
  return absl::StrCat("DROP DATABASE ", if_exists ? "IF EXISTS " : "", name.ToString());
}

std::string Constraint::ToString(bool is_column) const {
  std::string out = name.empty() ? "" : "CONSTRAINT " + QuoteIdentifier(name) + " ";
  const std::string cols = columns.empty() ? "" : " (" + Names(columns) + ")";
  switch (kind) {
    case ConstraintKind::kNull: return out + "NULL";
    case ConstraintKind::kNotNull: return out + "NOT NULL";
    case ConstraintKind::kDefault: return out + "DEFAULT " + expr->ToString();
    case ConstraintKind::kPrimaryKey: return out + "PRIMARY KEY" + cols;
    case ConstraintKind::kUnique: return out + "UNIQUE" + cols;
    case ConstraintKind::kCheck: return absl::StrCat(out, "CHECK (", expr->ToString(), ")");
    case ConstraintKind::kForeignKey: {
      if (!is_column) absl::StrAppend(&out, "FOREIGN KEY", cols, " ");
      absl::StrAppend(&out, "REFERENCES ", ref_table.ToString());
      if (!ref_columns.empty()) absl::StrAppend(&out, " (", Names(ref_columns), ")");
      if (on_delete != ReferentialAction::kNoAction) {
        absl::StrAppend(&out, " ON DELETE ", ActionText(on_delete));
      }
      if (on_update != ReferentialAction::kNoAction) {
        absl::StrAppend(&out, " ON UPDATE ", ActionText(on_update));
      }
      if (deferrable) {
        absl::StrAppend(&out, " DEFERRABLE INITIALLY ",
                        initially_deferred ? "DEFERRED" : "IMMEDIATE");
      }
      return out;
    }
  }
  return out;
}

const Expr* ColumnDef::default_expr() const {
  const Expr* out = nullptr;
  for (const Constraint& c : constraints) {
    if (c.kind == ConstraintKind::kDefault) out = c.expr.get();
  }
  return out;
}

bool ColumnDef::not_null() const {
  for (const Constraint& c : constraints) {
    if (c.kind == ConstraintKind::kNotNull || c.kind == ConstraintKind::kPrimaryKey) return true;
  }
  return false;
}

std::string ColumnDef::ToString() const {
  std::string out = absl::StrCat(name.ToString(), " ", type.ToString());
  for (const Constraint& c : constraints) absl::StrAppend(&out, " ", c.ToString(true));
  return out;
}

std::string CreateTableStatement::ToString() const {
  std::vector<std::string> elements;
  for (const ColumnDef& column : columns) elements.push_back(column.ToString());
  for (const Constraint& c : constraints) elements.push_back(c.ToString(false));
  std::string out = absl::StrCat("CREATE TABLE ", if_not_exists ? "IF NOT EXISTS " : "",
                                 name.ToString(), " (", absl::StrJoin(elements, ", "), ")");
  if (!storage_params.empty()) {
    absl::StrAppend(&out, " WITH (",
                    absl::StrJoin(storage_params, ", ", [](std::string* o, const Option& p) {
                      o->append(OptionName(p.name));
                      if (!p.value.empty()) absl::StrAppend(o, " = ", QuoteString(p.value));
                    }),
                    ")");
  }
  return out;
}

std::string DropTableStatement::ToString() const {
  return absl::StrCat("DROP TABLE ", if_exists ? "IF EXISTS " : "", ObjectNames(names),
                      Behavior(behavior));
}

std::string IndexElem::ToString() const {
  std::string out = expr != nullptr ? "(" + expr->ToString() + ")" : column.ToString();
  if (direction == SortDirection::kAsc) out += " ASC";
  if (direction == SortDirection::kDesc) out += " DESC";
  if (nulls == NullsOrder::kFirst) out += " NULLS FIRST";
  if (nulls == NullsOrder::kLast) out += " NULLS LAST";
  return out;
}

std::string CreateIndexStatement::ToString() const {
  std::string out = absl::StrCat("CREATE ", unique ? "UNIQUE " : "", "INDEX ",
                                 if_not_exists ? "IF NOT EXISTS " : "");
  if (!name.name.empty()) absl::StrAppend(&out, name.ToString(), " ");
  absl::StrAppend(&out, "ON ", table.ToString());
  if (!method.empty()) absl::StrAppend(&out, " USING ", QuoteIdentifier(method));
  absl::StrAppend(&out, " (",
                  absl::StrJoin(elems, ", ", [](std::string* o, const IndexElem& e) {
                    o->append(e.ToString());
                  }),
                  ")");
  if (!storing.empty()) absl::StrAppend(&out, " INCLUDE (", Names(storing), ")");
  if (where != nullptr) absl::StrAppend(&out, " WHERE ", where->ToString());
  return out;
}

std::string DropIndexStatement::ToString() const {
  return absl::StrCat("DROP INDEX ", if_exists ? "IF EXISTS " : "", ObjectNames(names),
                      Behavior(behavior));
}

std::string AlterTableCmd::ToString() const {
  switch (kind) {
    case AlterTableCmdKind::kAddColumn:
      return absl::StrCat("ADD COLUMN ", if_not_exists ? "IF NOT EXISTS " : "",
                          column_def->ToString());
    case AlterTableCmdKind::kDropColumn:
      return absl::StrCat("DROP COLUMN ", if_exists ? "IF EXISTS " : "", name.ToString(),
                          Behavior(behavior));
    case AlterTableCmdKind::kSetDefault:
      return absl::StrCat("ALTER COLUMN ", name.ToString(), " SET DEFAULT ", expr->ToString());
    case AlterTableCmdKind::kDropDefault:
      return absl::StrCat("ALTER COLUMN ", name.ToString(), " DROP DEFAULT");
    case AlterTableCmdKind::kSetNotNull:
      return absl::StrCat("ALTER COLUMN ", name.ToString(), " SET NOT NULL");
    case AlterTableCmdKind::kDropNotNull:
      return absl::StrCat("ALTER COLUMN ", name.ToString(), " DROP NOT NULL");
    case AlterTableCmdKind::kAlterType:
      return absl::StrCat("ALTER COLUMN ", name.ToString(), " TYPE ", type.ToString());
    case AlterTableCmdKind::kAddConstraint:
      return "ADD " + constraint->ToString(false);
    case AlterTableCmdKind::kDropConstraint:
      return absl::StrCat("DROP CONSTRAINT ", if_exists ? "IF EXISTS " : "", name.ToString(),
                          Behavior(behavior));
    case AlterTableCmdKind::kRenameColumn:
      return absl::StrCat("RENAME COLUMN ", name.ToString(), " TO ", new_name.ToString());
    case AlterTableCmdKind::kRenameConstraint:
      return absl::StrCat("RENAME CONSTRAINT ", name.ToString(), " TO ", new_name.ToString());
    case AlterTableCmdKind::kRenameTable:
      return "RENAME TO " + new_name.ToString();
    case AlterTableCmdKind::kSplitAt:
      return absl::StrCat(
          "SPLIT AT VALUES ",
          absl::StrJoin(split_rows, ", ", [](std::string* o, const std::vector<ExprPtr>& row) {
            absl::StrAppend(o, "(",
                            absl::StrJoin(row, ", ",
                                          [](std::string* o2, const ExprPtr& e) {
                                            o2->append(e ? e->ToString() : "DEFAULT");
                                          }),
                            ")");
          }));
  }
  return "";
}

std::string AlterTableStatement::ToString() const {
  return absl::StrCat("ALTER TABLE ", if_exists ? "IF EXISTS " : "", table.ToString(), " ",
                      absl::StrJoin(cmds, ", ", [](std::string* o, const AlterTableCmd& c) {
                        o->append(c.ToString());
                      }));
}

std::string TruncateStatement::ToString() const {
  return absl::StrCat("TRUNCATE ", ObjectNames(tables), Behavior(behavior));
}

std::string VacuumStatement::ToString() const {
  std::string out = vacuum ? "VACUUM" : "ANALYZE";
  if (full) out += " FULL";
  if (freeze) out += " FREEZE";
  if (verbose) out += " VERBOSE";
  if (analyze && vacuum) out += " ANALYZE";
  if (!tables.empty()) absl::StrAppend(&out, " ", ObjectNames(tables));
  return out;
}

std::string CommentStatement::ToString() const {
  std::string target = table.ToString();
  if (column) target += "." + QuoteIdentifier(column_name);
  return absl::StrCat("COMMENT ON ", column ? "COLUMN " : "TABLE ", target, " IS ",
                      comment ? QuoteString(*comment) : "NULL");
}

}  // namespace cairn::ast
