// ALTER TABLE, in the caller's transaction. Rows carry their values tagged
// by column id (catalog/row_codec.h), so adding a column without a default,
// dropping one and renaming touch only the descriptor; a default for a new
// column, a new NOT NULL and a new primary key visit or rewrite the rows.

#include "executor/alter_table.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "catalog/catalog_keys.h"
#include "catalog/row_codec.h"
#include "common/error_code.h"
#include "common/key_codec.h"
#include "common/value_text.h"
#include "executor/ddl.h"
#include "executor/expression_evaluator.h"
#include "executor/foreign_keys.h"
#include "executor/indexes.h"
#include "planner/binder/binder.h"
#include "planner/binder/expression_binder.h"
#include "planner/binder/scope.h"

namespace cairn::executor {
namespace {

constexpr size_t kScanBatch = 4096;

// The descriptor being changed, and the name the table had.
struct Alteration {
  proto::TableDescriptor desc;
  std::string old_name;
};

proto::ColumnDescriptor* FindColumn(proto::TableDescriptor& desc, const std::string& name) {
  for (auto& c : *desc.mutable_columns()) {
    if (c.name() == name && !c.hidden()) return &c;
  }
  return nullptr;
}

absl::Status UndefinedColumn(const std::string& column, const std::string& table, int position) {
  return MakeError(ErrorCode::kUndefinedColumn,
                   absl::StrFormat("column \"%s\" of relation \"%s\" does not exist", column, table),
                   position);
}

bool IsKeyColumn(const proto::TableDescriptor& desc, uint32_t id) {
  for (uint32_t k : desc.primary_index().column_ids()) {
    if (k == id) return true;
  }
  return false;
}

// Checks a DEFAULT expression against the column's type; returns its text.
absl::StatusOr<std::string> BindDefault(const ast::Expr& expr, const SqlType& type,
                                        const std::string& column) {
  planner::Scope empty;
  planner::ExpressionBinder binder(&empty);
  CAIRN_ASSIGN_OR_RETURN(auto bound, binder.Bind(expr));
  CAIRN_RETURN_IF_ERROR(
      planner::ExpressionBinder::CoerceForAssignment(std::move(bound), type, column).status());
  return expr.ToString();
}

// Calls `visit` with every row of `table` (its key, and the row decoded).
absl::Status ForEachRow(const catalog::TableInfo& table, txn::Txn* txn,
                        const std::function<absl::Status(const std::string&, Row)>& visit) {
  const std::string prefix = catalog::EncodePrimaryKeyPrefix(table, {});
  const std::string end = key_codec::PrefixEnd(prefix);
  std::string start = prefix;
  for (;;) {
    CAIRN_ASSIGN_OR_RETURN(auto kvs, txn->Scan(start, end, kScanBatch));
    for (const auto& kv : kvs) {
      CAIRN_ASSIGN_OR_RETURN(Row row, catalog::DecodeRow(table, kv.key, kv.value));
      CAIRN_RETURN_IF_ERROR(visit(kv.key, std::move(row)));
    }
    if (kvs.size() < kScanBatch) return absl::OkStatus();
    start = kvs.back().key + std::string(1, '\0');
  }
}

absl::Status AddColumn(const ast::AlterTableCmd& cmd, Alteration* alt, txn::Txn* txn,
                       ExecContext* ctx) {
  const ast::ColumnDef& def = *cmd.column_def;
  proto::TableDescriptor& desc = alt->desc;
  if (FindColumn(desc, def.name.name) != nullptr) {
    if (cmd.if_not_exists) return absl::OkStatus();
    return MakeError(ErrorCode::kDuplicateColumn,
                     absl::StrFormat("column \"%s\" of relation \"%s\" already exists",
                                     def.name.name, desc.name()),
                     def.name.position);
  }
  CAIRN_ASSIGN_OR_RETURN(ast::ResolvedType resolved, ast::ResolveType(def.type));
  if (resolved.serial) return NotSupported("adding a SERIAL column", cmd.position);
  const catalog::TableInfo before(desc);
  proto::ColumnDescriptor col;
  col.set_id(desc.next_column_id());
  col.set_name(def.name.name);
  col.set_type_id(static_cast<uint32_t>(resolved.type.id));
  col.set_element_type_id(static_cast<uint32_t>(resolved.type.element));
  col.set_precision(resolved.type.precision);
  col.set_scale(resolved.type.scale);
  col.set_nullable(true);
  for (const ast::Constraint& c : def.constraints) {
    switch (c.kind) {
      case ast::ConstraintKind::kNull: col.set_nullable(true); break;
      case ast::ConstraintKind::kNotNull: col.set_nullable(false); break;
      case ast::ConstraintKind::kDefault: {
        CAIRN_ASSIGN_OR_RETURN(std::string text,
                               BindDefault(*c.expr, resolved.type, def.name.name));
        col.set_default_expr(text);
        break;
      }
      default: return NotSupported("a constraint on an added column", c.position);
    }
  }
  desc.set_next_column_id(desc.next_column_id() + 1);
  // Keep the hidden row id last.
  auto* columns = desc.mutable_columns();
  int insert_at = columns->size();
  while (insert_at > 0 && columns->Get(insert_at - 1).hidden()) --insert_at;
  *columns->Add() = col;
  for (int i = columns->size() - 1; i > insert_at; --i) columns->SwapElements(i, i - 1);

  if (col.default_expr().empty() && col.nullable()) return absl::OkStatus();  // NULL everywhere
  // Existing rows take the default now (or must be none, for a NOT NULL
  // column without one).
  const catalog::TableInfo after(desc);
  const int position = *after.FindColumn(col.name());
  CAIRN_ASSIGN_OR_RETURN(auto default_expr, planner::Binder::BindColumnDefault(after, position));
  static const Row kNoInput;
  return ForEachRow(before, txn, [&](const std::string& key, Row old_row) -> absl::Status {
    Row row;
    for (size_t i = 0; i < after.columns().size(); ++i) {
      if (static_cast<int>(i) == position) {
        CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*default_expr, kNoInput, ctx));
        row.push_back(std::move(v));
      } else {
        row.push_back(old_row[*before.FindColumn(after.columns()[i].name)]);
      }
    }
    if (!col.nullable() && row[position].is_null()) {
      return MakeError(ErrorCode::kNotNullViolation,
                       absl::StrFormat("column \"%s\" of relation \"%s\" contains null values",
                                       col.name(), desc.name()));
    }
    txn->Put(key, catalog::EncodeRowValue(after, row));
    return absl::OkStatus();
  });
}

absl::Status AddPrimaryKey(const ast::Constraint& constraint, Alteration* alt, txn::Txn* txn) {
  proto::TableDescriptor& desc = alt->desc;
  const catalog::TableInfo before(desc);
  const auto& old_key = before.primary_key();
  // Secondary index entries name the primary key: they would all change.
  if (!before.all_indexes().empty()) {
    return NotSupported("adding a primary key to a table with indexes", constraint.position);
  }
  if (old_key.size() != 1 || !before.columns()[old_key[0]].hidden) {
    return MakeError(ErrorCode::kInvalidTableDefinition,
                     absl::StrFormat("multiple primary keys for table \"%s\" are not allowed",
                                     desc.name()),
                     constraint.position);
  }
  // The new key's columns; the hidden row id goes.
  proto::IndexDescriptor* pk = desc.mutable_primary_index();
  pk->clear_column_ids();
  pk->clear_descending();
  if (!constraint.name.empty()) pk->set_name(constraint.name);
  std::set<std::string> seen;
  for (const ast::Identifier& name : constraint.columns) {
    if (!seen.insert(name.name).second) {
      return MakeError(ErrorCode::kDuplicateColumn,
                       absl::StrFormat("column \"%s\" appears twice in primary key constraint",
                                       name.name),
                       constraint.position);
    }
    proto::ColumnDescriptor* col = FindColumn(desc, name.name);
    if (col == nullptr) {
      return MakeError(ErrorCode::kUndefinedColumn,
                       absl::StrFormat("column \"%s\" of relation \"%s\" does not exist",
                                       name.name, desc.name()),
                       name.position);
    }
    if (static_cast<TypeId>(col->type_id()) == TypeId::kArray) {
      return MakeError(ErrorCode::kFeatureNotSupported,
                       absl::StrFormat("array column \"%s\" cannot be part of a primary key yet",
                                       name.name),
                       name.position);
    }
    col->set_nullable(false);
    pk->add_column_ids(col->id());
    pk->add_descending(false);
  }
  auto* columns = desc.mutable_columns();
  for (int i = 0; i < columns->size(); ++i) {
    if (columns->Get(i).hidden()) {
      columns->DeleteSubrange(i, 1);
      break;
    }
  }
  const catalog::TableInfo after(desc);
  // Every row moves to its new key; a NULL or a repeated key fails it all.
  std::set<std::string> new_keys;
  return ForEachRow(before, txn, [&](const std::string& key, Row old_row) -> absl::Status {
    Row row;
    for (const catalog::ColumnInfo& c : after.columns()) {
      row.push_back(old_row[*before.FindColumn(c.name)]);
    }
    std::vector<std::string> key_texts;
    for (int k : after.primary_key()) {
      if (row[k].is_null()) {
        return MakeError(ErrorCode::kNotNullViolation,
                         absl::StrFormat("column \"%s\" of relation \"%s\" contains null values",
                                         after.columns()[k].name, desc.name()));
      }
      key_texts.push_back(FormatValue(row[k]));
    }
    std::string new_key = catalog::EncodePrimaryKey(after, row);
    if (!new_keys.insert(new_key).second) {
      std::vector<std::string> names;
      for (int k : after.primary_key()) names.push_back(after.columns()[k].name);
      return WithDetail(
          MakeError(ErrorCode::kUniqueViolation,
                    absl::StrFormat("could not create unique index \"%s\"", pk->name())),
          absl::StrFormat("Key (%s)=(%s) is duplicated.", absl::StrJoin(names, ", "),
                          absl::StrJoin(key_texts, ", ")));
    }
    txn->Delete(key);
    txn->Put(std::move(new_key), catalog::EncodeRowValue(after, row));
    return absl::OkStatus();
  });
}

// ADD CONSTRAINT ... CHECK: every row must pass it already.
absl::Status AddCheck(const ast::Constraint& constraint, Alteration* alt, txn::Txn* txn,
                      ExecContext* ctx) {
  proto::TableDescriptor& desc = alt->desc;
  CAIRN_RETURN_IF_ERROR(AddCheckConstraint(constraint.name, "", *constraint.expr, &desc));
  const catalog::TableInfo table(desc);
  CAIRN_ASSIGN_OR_RETURN(planner::BoundExprPtr check,
                         planner::Binder::BindCheckExpression(table, *constraint.expr));
  const std::string prefix = catalog::catalog_keys::IndexPrefix(table.id(), table.primary_index_id());
  CAIRN_ASSIGN_OR_RETURN(auto rows, txn->Scan(prefix, key_codec::PrefixEnd(prefix), 0));
  for (const auto& kv : rows) {
    CAIRN_ASSIGN_OR_RETURN(Row row, catalog::DecodeRow(table, kv.key, kv.value));
    CAIRN_ASSIGN_OR_RETURN(Value v, Evaluate(*check, row, ctx));
    if (!v.is_null() && !v.bool_value()) {
      return MakeError(ErrorCode::kCheckViolation,
                       absl::StrFormat("check constraint \"%s\" of relation \"%s\" is violated by "
                                       "some row",
                                       desc.checks(desc.checks_size() - 1).name(), desc.name()));
    }
  }
  return absl::OkStatus();
}

// ADD CONSTRAINT ... FOREIGN KEY (cols) REFERENCES ...: the rows there are
// must reference parents already.
absl::Status AddForeignKeyConstraint(const ast::Constraint& constraint, Alteration* alt,
                                     txn::Txn* txn, ExecContext* ctx) {
  proto::TableDescriptor& desc = alt->desc;
  std::vector<std::string> columns;
  for (const ast::Identifier& id : constraint.columns) columns.push_back(id.name);
  CAIRN_RETURN_IF_ERROR(
      AddForeignKey(constraint, columns, ctx->catalog, txn, ctx->database_id, &desc));
  const proto::ForeignKey& added = desc.foreign_keys(desc.foreign_keys_size() - 1);
  bool taken = desc.primary_index().name() == added.name();
  for (const auto& c : desc.checks()) taken |= c.name() == added.name();
  for (const auto& index : desc.indexes())
    taken |= index.is_constraint() && index.name() == added.name();
  for (int i = 0; i + 1 < desc.foreign_keys_size(); ++i) {
    taken |= desc.foreign_keys(i).name() == added.name();
  }
  if (taken) {
    return MakeError(ErrorCode::kDuplicateObject,
                     absl::StrFormat("constraint \"%s\" for relation \"%s\" already exists",
                                     added.name(), desc.name()));
  }
  const catalog::TableInfo table(desc);
  return ValidateForeignKey(table, added, ctx);
}

// ADD CONSTRAINT ... UNIQUE (cols): a unique index over the rows there are.
absl::Status AddUnique(const ast::Constraint& constraint, Alteration* alt, txn::Txn* txn) {
  proto::TableDescriptor& desc = alt->desc;
  proto::IndexDescriptor index;
  index.set_unique(true);
  index.set_is_constraint(true);
  std::vector<std::string> names;
  for (const ast::Identifier& name : constraint.columns) {
    proto::ColumnDescriptor* col = FindColumn(desc, name.name);
    if (col == nullptr) return UndefinedColumn(name.name, desc.name(), name.position);
    index.add_column_ids(col->id());
    index.add_descending(false);
    names.push_back(col->name());
  }
  std::string chosen = constraint.name;
  if (chosen.empty()) chosen = absl::StrCat(desc.name(), "_", absl::StrJoin(names, "_"), "_key");
  for (const auto& existing : desc.indexes()) {
    if (existing.name() == chosen || desc.primary_index().name() == chosen) {
      return MakeError(ErrorCode::kDuplicateTable,
                       absl::StrFormat("relation \"%s\" already exists", chosen),
                       constraint.position);
    }
  }
  index.set_name(chosen);
  return AddIndex(std::move(index), &desc, txn);
}

// DROP CONSTRAINT: a CHECK, or a UNIQUE constraint with its index.
absl::Status DropConstraint(const ast::AlterTableCmd& cmd, Alteration* alt, txn::Txn* txn) {
  proto::TableDescriptor& desc = alt->desc;
  auto* checks = desc.mutable_checks();
  for (int i = 0; i < checks->size(); ++i) {
    if (checks->Get(i).name() == cmd.name.name) {
      checks->DeleteSubrange(i, 1);
      return absl::OkStatus();
    }
  }
  auto* foreign_keys = desc.mutable_foreign_keys();
  for (int i = 0; i < foreign_keys->size(); ++i) {
    if (foreign_keys->Get(i).name() == cmd.name.name) {
      foreign_keys->DeleteSubrange(i, 1);
      return absl::OkStatus();
    }
  }
  auto* indexes = desc.mutable_indexes();
  for (int i = 0; i < indexes->size(); ++i) {
    const proto::IndexDescriptor& index = indexes->Get(i);
    if (!index.is_constraint() || index.name() != cmd.name.name) continue;
    CAIRN_RETURN_IF_ERROR(DeleteIndexEntries(txn, desc.id(), index.id()));
    indexes->DeleteSubrange(i, 1);
    return absl::OkStatus();
  }
  if (desc.primary_index().name() == cmd.name.name) {
    return NotSupported("dropping a primary key", cmd.position);
  }
  if (cmd.if_exists) return absl::OkStatus();
  return MakeError(ErrorCode::kUndefinedObject,
                   absl::StrFormat("constraint \"%s\" of relation \"%s\" does not exist",
                                   cmd.name.name, desc.name()));
}

absl::Status Apply(const ast::AlterTableCmd& cmd, Alteration* alt, txn::Txn* txn,
                   ExecContext* ctx) {
  proto::TableDescriptor& desc = alt->desc;
  switch (cmd.kind) {
    case ast::AlterTableCmdKind::kAddColumn: return AddColumn(cmd, alt, txn, ctx);
    case ast::AlterTableCmdKind::kDropColumn: {
      proto::ColumnDescriptor* col = FindColumn(desc, cmd.name.name);
      if (col == nullptr) {
        if (cmd.if_exists) return absl::OkStatus();
        return UndefinedColumn(cmd.name.name, desc.name(), cmd.name.position);
      }
      if (IsKeyColumn(desc, col->id())) {
        return NotSupported("dropping a primary key column", cmd.position);
      }
      // The indexes on the column go with it, entries and all, as
      // PostgreSQL drops them.
      auto* indexes = desc.mutable_indexes();
      for (int i = indexes->size() - 1; i >= 0; --i) {
        const proto::IndexDescriptor& index = indexes->Get(i);
        bool uses = false;
        for (uint32_t id : index.column_ids()) uses |= id == col->id();
        for (uint32_t id : index.storing_column_ids()) uses |= id == col->id();
        if (!uses) continue;
        CAIRN_RETURN_IF_ERROR(DeleteIndexEntries(txn, desc.id(), index.id()));
        indexes->DeleteSubrange(i, 1);
      }
      // Rows keep the column's values under its id; nothing reads them.
      auto* columns = desc.mutable_columns();
      for (int i = 0; i < columns->size(); ++i) {
        if (&columns->Get(i) == col) {
          columns->DeleteSubrange(i, 1);
          break;
        }
      }
      return absl::OkStatus();
    }
    case ast::AlterTableCmdKind::kRenameColumn: {
      proto::ColumnDescriptor* col = FindColumn(desc, cmd.name.name);
      if (col == nullptr) return UndefinedColumn(cmd.name.name, desc.name(), cmd.name.position);
      if (FindColumn(desc, cmd.new_name.name) != nullptr) {
        return MakeError(ErrorCode::kDuplicateColumn,
                         absl::StrFormat("column \"%s\" of relation \"%s\" already exists",
                                         cmd.new_name.name, desc.name()),
                         cmd.new_name.position);
      }
      col->set_name(cmd.new_name.name);
      return absl::OkStatus();
    }
    case ast::AlterTableCmdKind::kRenameTable:
      desc.set_name(cmd.new_name.name);
      return absl::OkStatus();
    case ast::AlterTableCmdKind::kSplitAt:
      // Not a change to the descriptor: the session runs it (table_ranges.h).
      return MakeError(ErrorCode::kSyntaxError, "SPLIT AT cannot be combined with other commands",
                       cmd.position);
    case ast::AlterTableCmdKind::kSetDefault:
    case ast::AlterTableCmdKind::kDropDefault: {
      proto::ColumnDescriptor* col = FindColumn(desc, cmd.name.name);
      if (col == nullptr) return UndefinedColumn(cmd.name.name, desc.name(), cmd.name.position);
      if (cmd.kind == ast::AlterTableCmdKind::kDropDefault) {
        col->clear_default_expr();
        col->set_is_serial(false);
        return absl::OkStatus();
      }
      const catalog::TableInfo info(desc);
      const SqlType type = info.columns()[*info.FindColumn(col->name())].type;
      CAIRN_ASSIGN_OR_RETURN(std::string text, BindDefault(*cmd.expr, type, col->name()));
      col->set_default_expr(text);
      col->set_is_serial(false);
      return absl::OkStatus();
    }
    case ast::AlterTableCmdKind::kSetNotNull: {
      proto::ColumnDescriptor* col = FindColumn(desc, cmd.name.name);
      if (col == nullptr) return UndefinedColumn(cmd.name.name, desc.name(), cmd.name.position);
      if (!col->nullable()) return absl::OkStatus();
      const catalog::TableInfo info(desc);
      const int position = *info.FindColumn(col->name());
      CAIRN_RETURN_IF_ERROR(ForEachRow(info, txn, [&](const std::string&, Row row) {
        if (!row[position].is_null()) return absl::OkStatus();
        return MakeError(ErrorCode::kNotNullViolation,
                         absl::StrFormat("column \"%s\" of relation \"%s\" contains null values",
                                         col->name(), desc.name()));
      }));
      col->set_nullable(false);
      return absl::OkStatus();
    }
    case ast::AlterTableCmdKind::kDropNotNull: {
      proto::ColumnDescriptor* col = FindColumn(desc, cmd.name.name);
      if (col == nullptr) return UndefinedColumn(cmd.name.name, desc.name(), cmd.name.position);
      if (IsKeyColumn(desc, col->id())) {
        return MakeError(ErrorCode::kInvalidTableDefinition,
                         absl::StrFormat("column \"%s\" is in a primary key", col->name()),
                         cmd.position);
      }
      col->set_nullable(true);
      return absl::OkStatus();
    }
    case ast::AlterTableCmdKind::kAddConstraint:
      switch (cmd.constraint->kind) {
        case ast::ConstraintKind::kPrimaryKey: return AddPrimaryKey(*cmd.constraint, alt, txn);
        case ast::ConstraintKind::kCheck: return AddCheck(*cmd.constraint, alt, txn, ctx);
        case ast::ConstraintKind::kUnique: return AddUnique(*cmd.constraint, alt, txn);
        case ast::ConstraintKind::kForeignKey:
          return AddForeignKeyConstraint(*cmd.constraint, alt, txn, ctx);
        default: return NotSupported("adding this kind of constraint", cmd.position);
      }
    case ast::AlterTableCmdKind::kAlterType: return NotSupported("ALTER COLUMN TYPE", cmd.position);
    case ast::AlterTableCmdKind::kDropConstraint: return DropConstraint(cmd, alt, txn);
    case ast::AlterTableCmdKind::kRenameConstraint:
      return NotSupported("renaming constraints", cmd.position);
  }
  return NotSupported("this ALTER TABLE command", cmd.position);
}

}  // namespace

absl::StatusOr<std::string> AlterTable(const ast::AlterTableStatement& stmt,
                                       catalog::Catalog* catalog, txn::Txn* txn,
                                       uint32_t database_id, ExecContext* ctx,
                                       PrivilegeChecker* checker) {
  CAIRN_RETURN_IF_ERROR(CheckSchema(stmt.table));
  CAIRN_ASSIGN_OR_RETURN(auto table, catalog->GetTable(txn, database_id, stmt.table.name));
  if (!table) {
    if (stmt.if_exists) return std::string("ALTER TABLE");
    return MakeError(ErrorCode::kUndefinedTable,
                     absl::StrFormat("relation \"%s\" does not exist", stmt.table.name),
                     stmt.table.position);
  }
  CAIRN_RETURN_IF_ERROR(checker->CheckTableOwner(*table));
  Alteration alt{table->descriptor(), table->name()};
  for (const ast::AlterTableCmd& cmd : stmt.cmds) {
    CAIRN_RETURN_IF_ERROR(Apply(cmd, &alt, txn, ctx));
  }
  CAIRN_RETURN_IF_ERROR(catalog->UpdateTable(txn, alt.old_name, std::move(alt.desc)));
  return std::string("ALTER TABLE");
}

}  // namespace cairn::executor
