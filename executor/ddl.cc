#include "executor/ddl.h"

#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "catalog/catalog_keys.h"
#include "catalog/privileges.h"
#include "common/error_code.h"
#include "common/key_codec.h"
#include "executor/indexes.h"
#include "planner/binder/binder.h"
#include "planner/binder/expression_binder.h"

namespace cairn::executor {
namespace {

constexpr uint32_t kPrimaryIndexId = 1;

}  // namespace

absl::Status NotSupported(const std::string& what, int position) {
  return MakeError(ErrorCode::kFeatureNotSupported,
                   absl::StrFormat("%s is not supported yet", what), position);
}

absl::Status CheckSchema(const ast::ObjectName& name) {
  if (!name.schema.empty() && name.schema != "public") {
    return MakeError(ErrorCode::kInvalidSchemaName,
                     absl::StrFormat("schema \"%s\" does not exist", name.schema), name.position);
  }
  return absl::OkStatus();
}

absl::Status AddCheckConstraint(const std::string& name, const std::string& column,
                                const ast::Expr& expr, proto::TableDescriptor* descriptor) {
  const catalog::TableInfo table(*descriptor);
  CAIRN_RETURN_IF_ERROR(planner::Binder::BindCheckExpression(table, expr).status());
  std::string chosen = name;
  if (chosen.empty()) {
    // PostgreSQL's names: table_column_check for a column's, table_check
    // for the table's.
    const std::string base = column.empty() ? absl::StrCat(table.name(), "_check")
                                            : absl::StrCat(table.name(), "_", column, "_check");
    chosen = base;
    for (int n = 1;; ++n) {
      bool taken = false;
      for (const auto& c : descriptor->checks()) taken |= c.name() == chosen;
      if (!taken) break;
      chosen = absl::StrCat(base, n);
    }
  } else {
    for (const auto& c : descriptor->checks()) {
      if (c.name() == chosen) {
        return MakeError(ErrorCode::kDuplicateObject,
                         absl::StrFormat("constraint \"%s\" for relation \"%s\" already exists",
                                         chosen, table.name()));
      }
    }
  }
  proto::CheckConstraint* check = descriptor->add_checks();
  check->set_name(chosen);
  check->set_expr(expr.ToString());
  return absl::OkStatus();
}

// A foreign key of another table that references `table`, as PostgreSQL
// describes it ("constraint c_p_fkey on table c"), if any.
absl::StatusOr<std::optional<std::string>> ReferencingConstraint(catalog::Catalog* catalog,
                                                                 txn::Txn* txn,
                                                                 uint32_t database_id,
                                                                 const catalog::TableInfo& table) {
  CAIRN_ASSIGN_OR_RETURN(auto tables, catalog->ListTables(txn, database_id));
  for (const catalog::TableInfo& t : tables) {
    if (t.id() == table.id()) continue;
    for (const proto::ForeignKey& fk : t.descriptor().foreign_keys()) {
      if (fk.ref_table_id() == table.id()) {
        return std::optional<std::string>(
            absl::StrFormat("constraint %s on table %s", fk.name(), t.name()));
      }
    }
  }
  return std::optional<std::string>();
}

absl::Status AddForeignKey(const ast::Constraint& c, const std::vector<std::string>& columns,
                           catalog::Catalog* catalog, txn::Txn* txn, uint32_t database_id,
                           proto::TableDescriptor* descriptor) {
  CAIRN_RETURN_IF_ERROR(CheckSchema(c.ref_table));
  std::optional<catalog::TableInfo> parent;
  if (c.ref_table.name == descriptor->name()) {
    // The table references itself: as it is being defined (its id is
    // already allocated).
    parent.emplace(*descriptor);
  } else {
    CAIRN_ASSIGN_OR_RETURN(parent, catalog->GetTable(txn, database_id, c.ref_table.name));
  }
  if (!parent) {
    return MakeError(ErrorCode::kUndefinedTable,
                     absl::StrFormat("relation \"%s\" does not exist", c.ref_table.name),
                     c.ref_table.position);
  }
  const catalog::TableInfo child(*descriptor);
  proto::ForeignKey fk;
  fk.set_ref_table_id(parent->id());
  auto action = [](ast::ReferentialAction a) {
    switch (a) {
      case ast::ReferentialAction::kCascade: return proto::ForeignKey::CASCADE;
      case ast::ReferentialAction::kSetNull: return proto::ForeignKey::SET_NULL;
      case ast::ReferentialAction::kRestrict: return proto::ForeignKey::RESTRICT;
      case ast::ReferentialAction::kSetDefault:
        return proto::ForeignKey::SET_DEFAULT;
      default: return proto::ForeignKey::NO_ACTION;
    }
  };
  fk.set_on_delete(action(c.on_delete));
  fk.set_on_update(action(c.on_update));
  fk.set_deferrable(c.deferrable);
  fk.set_initially_deferred(c.initially_deferred);
  // The referenced columns: as given, else the parent's primary key.
  std::vector<int> ref_positions;
  if (c.ref_columns.empty()) {
    ref_positions = parent->primary_key();
  } else {
    for (const ast::Identifier& name : c.ref_columns) {
      std::optional<int> pos = parent->FindColumn(name.name);
      if (!pos || parent->columns()[*pos].hidden) {
        return MakeError(ErrorCode::kUndefinedColumn,
                         absl::StrFormat("column \"%s\" referenced in foreign key constraint "
                                         "does not exist",
                                         name.name),
                         name.position);
      }
      ref_positions.push_back(*pos);
    }
  }
  bool unique = ref_positions == parent->primary_key() &&
                !parent->columns()[parent->primary_key()[0]].hidden;
  for (const catalog::IndexInfo& index : parent->indexes()) {
    unique |= index.unique && index.columns == ref_positions;
  }
  if (!unique) {
    return MakeError(ErrorCode::kInvalidForeignKey,
                     absl::StrFormat("there is no unique constraint matching given keys for "
                                     "referenced table \"%s\"",
                                     parent->name()),
                     c.position);
  }
  if (columns.size() != ref_positions.size()) {
    return MakeError(ErrorCode::kInvalidForeignKey,
                     "number of referencing and referenced columns for foreign key disagree",
                     c.position);
  }
  for (size_t i = 0; i < columns.size(); ++i) {
    std::optional<int> pos = child.FindColumn(columns[i]);
    if (!pos || child.columns()[*pos].hidden) {
      return MakeError(ErrorCode::kUndefinedColumn,
                       absl::StrFormat("column \"%s\" referenced in foreign key constraint does "
                                       "not exist",
                                       columns[i]),
                       c.position);
    }
    const SqlType& mine = child.columns()[*pos].type;
    const SqlType& theirs = parent->columns()[ref_positions[i]].type;
    const bool comparable = mine.id == theirs.id || (IsNumericType(mine.id) && IsNumericType(theirs.id)) ||
                            (IsStringType(mine.id) && IsStringType(theirs.id));
    if (!comparable) {
      return MakeError(ErrorCode::kDatatypeMismatch,
                       absl::StrFormat("foreign key constraint cannot be implemented: key columns "
                                       "\"%s\" and \"%s\" are of incompatible types: %s and %s",
                                       columns[i], parent->columns()[ref_positions[i]].name,
                                       TypeName(mine), TypeName(theirs)),
                       c.position);
    }
    fk.add_column_ids(child.columns()[*pos].id);
    fk.add_ref_column_ids(parent->columns()[ref_positions[i]].id);
  }
  fk.set_name(!c.name.empty() ? c.name
                              : absl::StrCat(descriptor->name(), "_", absl::StrJoin(columns, "_"),
                                             "_fkey"));
  *descriptor->add_foreign_keys() = std::move(fk);
  return absl::OkStatus();
}

absl::StatusOr<std::string> CreateTable(const ast::CreateTableStatement& stmt,
                                        catalog::Catalog* catalog, txn::Txn* txn,
                                        uint32_t database_id,
                                        PrivilegeChecker* checker) {
  CAIRN_RETURN_IF_ERROR(CheckSchema(stmt.name));
  CAIRN_RETURN_IF_ERROR(checker->CheckCreateInSchema());
  CAIRN_ASSIGN_OR_RETURN(auto existing, catalog->GetTable(txn, database_id, stmt.name.name));
  if (existing) {
    if (stmt.if_not_exists) return std::string("CREATE TABLE");
    return MakeError(ErrorCode::kDuplicateTable,
                     absl::StrFormat("relation \"%s\" already exists", stmt.name.name),
                     stmt.name.position);
  }
  proto::TableDescriptor desc;
  desc.set_database_id(database_id);
  desc.set_name(stmt.name.name);
  desc.set_owner(checker->role());
  uint32_t next_column_id = 1;
  std::vector<std::string> primary_key;
  int primary_key_position = 0;
  // UNIQUE constraints: each a unique index of the table.
  struct UniqueConstraint {
    std::string name;
    std::vector<std::string> columns;
    int position = 0;
  };
  std::vector<UniqueConstraint> uniques;
  // CHECK constraints: a column's, or the table's (column empty).
  struct PendingCheck {
    std::string name;
    std::string column;
    const ast::Expr* expr = nullptr;
    int position = 0;
  };
  std::vector<PendingCheck> checks;
  struct PendingForeignKey {
    const ast::Constraint* constraint;
    std::vector<std::string> columns;
  };
  std::vector<PendingForeignKey> foreign_keys;
  std::set<std::string> names;

  for (const ast::ColumnDef& def : stmt.columns) {
    if (!names.insert(def.name.name).second) {
      return MakeError(ErrorCode::kDuplicateColumn,
                       absl::StrFormat("column \"%s\" specified more than once", def.name.name),
                       def.name.position);
    }
    CAIRN_ASSIGN_OR_RETURN(ast::ResolvedType resolved, ast::ResolveType(def.type));
    proto::ColumnDescriptor* col = desc.add_columns();
    col->set_id(next_column_id++);
    col->set_name(def.name.name);
    col->set_type_id(static_cast<uint32_t>(resolved.type.id));
    col->set_element_type_id(static_cast<uint32_t>(resolved.type.element));
    col->set_precision(resolved.type.precision);
    col->set_scale(resolved.type.scale);
    col->set_nullable(!resolved.serial);
    col->set_is_serial(resolved.serial);
    for (const ast::Constraint& c : def.constraints) {
      switch (c.kind) {
        case ast::ConstraintKind::kNull: col->set_nullable(true); break;
        case ast::ConstraintKind::kNotNull: col->set_nullable(false); break;
        case ast::ConstraintKind::kDefault: {
          if (resolved.serial) {
            return MakeError(ErrorCode::kSyntaxError,
                             absl::StrFormat("multiple default values specified for column \"%s\" "
                                             "of table \"%s\"",
                                             def.name.name, stmt.name.name),
                             c.position);
          }
          // Bind now so a bad default fails the CREATE, not every INSERT.
          planner::Scope empty;
          planner::ExpressionBinder binder(&empty);
          CAIRN_ASSIGN_OR_RETURN(auto bound, binder.Bind(*c.expr));
          CAIRN_RETURN_IF_ERROR(planner::ExpressionBinder::CoerceForAssignment(
                                    std::move(bound), resolved.type, def.name.name)
                                    .status());
          col->set_default_expr(c.expr->ToString());
          break;
        }
        case ast::ConstraintKind::kPrimaryKey:
          if (!primary_key.empty()) {
            return MakeError(ErrorCode::kSyntaxErrorOrAccessRule,
                             absl::StrFormat("multiple primary keys for table \"%s\" are not "
                                             "allowed",
                                             stmt.name.name),
                             c.position);
          }
          primary_key.push_back(def.name.name);
          primary_key_position = c.position;
          col->set_nullable(false);
          break;
        case ast::ConstraintKind::kUnique:
          uniques.push_back({c.name, {def.name.name}, c.position});
          break;
        case ast::ConstraintKind::kCheck:
          checks.push_back({c.name, def.name.name, c.expr.get(), c.position});
          break;
        case ast::ConstraintKind::kForeignKey:
          foreign_keys.push_back({&c, {def.name.name}});
          break;
      }
    }
  }
  for (const ast::Constraint& c : stmt.constraints) {
    switch (c.kind) {
      case ast::ConstraintKind::kPrimaryKey:
        if (!primary_key.empty()) {
          return MakeError(ErrorCode::kSyntaxErrorOrAccessRule,
                           absl::StrFormat("multiple primary keys for table \"%s\" are not allowed",
                                           stmt.name.name),
                           c.position);
        }
        for (const auto& id : c.columns) primary_key.push_back(id.name);
        primary_key_position = c.position;
        break;
      case ast::ConstraintKind::kUnique: {
        UniqueConstraint u{c.name, {}, c.position};
        for (const auto& id : c.columns) u.columns.push_back(id.name);
        uniques.push_back(std::move(u));
        break;
      }
      case ast::ConstraintKind::kCheck:
        checks.push_back({c.name, "", c.expr.get(), c.position});
        break;
      case ast::ConstraintKind::kForeignKey: {
        PendingForeignKey fk{&c, {}};
        for (const auto& id : c.columns) fk.columns.push_back(id.name);
        foreign_keys.push_back(std::move(fk));
        break;
      }
      default: return NotSupported("this table constraint", c.position);
    }
  }

  proto::IndexDescriptor* pk = desc.mutable_primary_index();
  pk->set_id(kPrimaryIndexId);
  pk->set_name(absl::StrFormat("%s_pkey", stmt.name.name));
  pk->set_unique(true);
  if (primary_key.empty()) {
    // No key: a hidden row id, as PostgreSQL's ctid is hidden.
    proto::ColumnDescriptor* col = desc.add_columns();
    col->set_id(next_column_id++);
    col->set_name("rowid");
    col->set_type_id(static_cast<uint32_t>(TypeId::kInt64));
    col->set_precision(-1);
    col->set_scale(-1);
    col->set_nullable(false);
    col->set_hidden(true);
    pk->add_column_ids(col->id());
    pk->add_descending(false);
  } else {
    std::set<std::string> seen;
    for (const std::string& name : primary_key) {
      if (!seen.insert(name).second) {
        return MakeError(ErrorCode::kDuplicateColumn,
                         absl::StrFormat("column \"%s\" appears twice in primary key constraint",
                                         name),
                         primary_key_position);
      }
      proto::ColumnDescriptor* found = nullptr;
      for (auto& col : *desc.mutable_columns()) {
        if (col.name() == name) found = &col;
      }
      if (found == nullptr) {
        return MakeError(ErrorCode::kUndefinedColumn,
                         absl::StrFormat("column \"%s\" named in key does not exist", name),
                         primary_key_position);
      }
      if (static_cast<TypeId>(found->type_id()) == TypeId::kArray) {
        return MakeError(ErrorCode::kFeatureNotSupported,
                         absl::StrFormat("array column \"%s\" cannot be part of a primary key yet",
                                         name),
                         primary_key_position);
      }
      found->set_nullable(false);
      pk->add_column_ids(found->id());
      pk->add_descending(false);
    }
  }
  desc.set_next_column_id(next_column_id);
  desc.set_next_index_id(kPrimaryIndexId + 1);
  std::set<std::string> index_names = {desc.primary_index().name()};
  for (const UniqueConstraint& u : uniques) {
    proto::IndexDescriptor index;
    index.set_unique(true);
    index.set_is_constraint(true);
    for (const std::string& name : u.columns) {
      const proto::ColumnDescriptor* found = nullptr;
      for (const auto& col : desc.columns()) {
        if (col.name() == name && !col.hidden()) found = &col;
      }
      if (found == nullptr) {
        return MakeError(ErrorCode::kUndefinedColumn,
                         absl::StrFormat("column \"%s\" named in key does not exist", name),
                         u.position);
      }
      const TypeId type = static_cast<TypeId>(found->type_id());
      if (type == TypeId::kArray || IsJsonType(type)) {
        return NotSupported("UNIQUE constraints on array and json columns", u.position);
      }
      index.add_column_ids(found->id());
      index.add_descending(false);
    }
    // PostgreSQL's name: table_col1_col2_key, numbered on a clash.
    std::string name = u.name;
    if (name.empty()) {
      const std::string base = absl::StrCat(stmt.name.name, "_", absl::StrJoin(u.columns, "_"), "_key");
      name = base;
      for (int n = 1; index_names.contains(name); ++n) name = absl::StrCat(base, n);
    }
    CAIRN_ASSIGN_OR_RETURN(bool taken, RelationNameTaken(catalog, txn, database_id, name));
    if (taken || !index_names.insert(name).second) {
      return MakeError(ErrorCode::kDuplicateTable,
                       absl::StrFormat("relation \"%s\" already exists", name), u.position);
    }
    index.set_name(name);
    index.set_id(desc.next_index_id());
    desc.set_next_index_id(desc.next_index_id() + 1);
    *desc.add_indexes() = std::move(index);
  }
  for (const PendingCheck& c : checks) {
    CAIRN_RETURN_IF_ERROR(AddCheckConstraint(c.name, c.column, *c.expr, &desc));
  }
  // The id now, so that a foreign key may reference the table itself.
  CAIRN_ASSIGN_OR_RETURN(uint32_t id, catalog->AllocateDescriptorId(txn));
  desc.set_id(id);
  for (const PendingForeignKey& fk : foreign_keys) {
    CAIRN_RETURN_IF_ERROR(
        AddForeignKey(*fk.constraint, fk.columns, catalog, txn, database_id, &desc));
  }
  CAIRN_RETURN_IF_ERROR(catalog->CreateTable(txn, std::move(desc)).status());
  return std::string("CREATE TABLE");
}

absl::StatusOr<std::string> DropTables(const ast::DropTableStatement& stmt,
                                       catalog::Catalog* catalog, txn::Txn* txn,
                                       uint32_t database_id,
                                        PrivilegeChecker* checker) {
  for (const ast::ObjectName& name : stmt.names) {
    CAIRN_RETURN_IF_ERROR(CheckSchema(name));
    CAIRN_ASSIGN_OR_RETURN(auto table, catalog->GetTable(txn, database_id, name.name));
    if (!table) {
      if (stmt.if_exists) continue;
      return MakeError(ErrorCode::kUndefinedTable,
                       absl::StrFormat("table \"%s\" does not exist", name.name), name.position);
    }
    CAIRN_RETURN_IF_ERROR(checker->CheckTableOwner(*table));
    CAIRN_ASSIGN_OR_RETURN(auto referencing, ReferencingConstraint(catalog, txn, database_id, *table));
    if (referencing) {
      return WithDetail(MakeError(ErrorCode::kDependentObjectsStillExist,
                                  absl::StrFormat("cannot drop table %s because other objects "
                                                  "depend on it",
                                                  name.name)),
                        absl::StrFormat("%s depends on table %s", *referencing, name.name));
    }
    CAIRN_RETURN_IF_ERROR(catalog->DropTable(txn, *table));
  }
  return std::string("DROP TABLE");
}

absl::StatusOr<std::string> TruncateTables(const ast::TruncateStatement& stmt,
                                           catalog::Catalog* catalog, txn::Txn* txn,
                                           uint32_t database_id,
                                        PrivilegeChecker* checker) {
  for (const ast::ObjectName& name : stmt.tables) {
    CAIRN_RETURN_IF_ERROR(CheckSchema(name));
    CAIRN_ASSIGN_OR_RETURN(auto table, catalog->GetTable(txn, database_id, name.name));
    if (!table) {
      return MakeError(ErrorCode::kUndefinedTable,
                       absl::StrFormat("relation \"%s\" does not exist", name.name), name.position);
    }
    CAIRN_RETURN_IF_ERROR(checker->CheckTable(*table, catalog::kTruncate));
    CAIRN_ASSIGN_OR_RETURN(auto referencing, ReferencingConstraint(catalog, txn, database_id, *table));
    if (referencing) {
      return WithDetail(MakeError(ErrorCode::kFeatureNotSupported,
                                  "cannot truncate a table referenced in a foreign key constraint"),
                        absl::StrFormat("%s references table %s.", *referencing, name.name));
    }
    std::string prefix = catalog::catalog_keys::TablePrefix(table->id());
    CAIRN_ASSIGN_OR_RETURN(auto rows, txn->Scan(prefix, key_codec::PrefixEnd(prefix), 0));
    for (auto& kv : rows) txn->Delete(std::move(kv.key));
  }
  return std::string("TRUNCATE TABLE");
}

}  // namespace cairn::executor
