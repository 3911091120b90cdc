#include "executor/indexes.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "catalog/catalog_keys.h"
#include "catalog/row_codec.h"
#include "common/error_code.h"
#include "common/key_codec.h"
#include "common/value_text.h"
#include "executor/ddl.h"
#include "executor/row_writer.h"

namespace cairn::executor {
namespace {

constexpr size_t kBackfillBatch = 4096;

// PostgreSQL's name for an index it names itself: table_col1_col2_idx,
// numbered on a clash.
absl::StatusOr<std::string> ChooseName(catalog::Catalog* catalog, txn::Txn* txn,
                                       uint32_t database_id, const std::string& table,
                                       const std::vector<std::string>& columns,
                                       const char* suffix) {
  const std::string base = absl::StrCat(table, "_", absl::StrJoin(columns, "_"), "_", suffix);
  for (int n = 0;; ++n) {
    std::string name = n == 0 ? base : absl::StrCat(base, n);
    CAIRN_ASSIGN_OR_RETURN(bool taken, RelationNameTaken(catalog, txn, database_id, name));
    if (!taken) return name;
  }
}

}  // namespace

absl::Status DeleteIndexEntries(txn::Txn* txn, uint32_t table_id, uint32_t index_id) {
  const std::string prefix = catalog::catalog_keys::IndexPrefix(table_id, index_id);
  for (;;) {
    // The scan sees this transaction's deletes: each batch is a new one.
    CAIRN_ASSIGN_OR_RETURN(auto entries,
                           txn->Scan(prefix, key_codec::PrefixEnd(prefix), kBackfillBatch));
    for (auto& kv : entries) txn->Delete(std::move(kv.key));
    if (entries.size() < kBackfillBatch) return absl::OkStatus();
  }
}

absl::StatusOr<bool> RelationNameTaken(catalog::Catalog* catalog, txn::Txn* txn,
                                       uint32_t database_id, const std::string& name) {
  CAIRN_ASSIGN_OR_RETURN(auto tables, catalog->ListTables(txn, database_id));
  for (const catalog::TableInfo& t : tables) {
    if (t.name() == name || t.primary_index_name() == name) return true;
    for (const catalog::IndexInfo& index : t.all_indexes()) {
      if (index.name == name) return true;
    }
  }
  return false;
}

absl::StatusOr<std::optional<std::string>> BackfillIndex(const catalog::TableInfo& table,
                                                         const catalog::IndexInfo& index,
                                                         std::string_view from, size_t limit,
                                                         txn::Txn* txn) {
  const std::string prefix =
      catalog::catalog_keys::IndexPrefix(table.id(), table.primary_index_id());
  const std::string start = from.empty() ? prefix : std::string(from);
  CAIRN_ASSIGN_OR_RETURN(auto rows, txn->Scan(start, key_codec::PrefixEnd(prefix), limit));
  for (const auto& kv : rows) {
    CAIRN_ASSIGN_OR_RETURN(Row row, catalog::DecodeRow(table, kv.key, kv.value));
    absl::Status written = WriteIndexEntry(table, index, row, txn);
    if (GetErrorCode(written) == ErrorCode::kUniqueViolation) {
      std::vector<std::string> names, values;
      for (int pos : index.columns) {
        names.push_back(table.columns()[pos].name);
        values.push_back(FormatValue(row[pos]));
      }
      return WithDetail(
          MakeError(ErrorCode::kUniqueViolation,
                    absl::StrFormat("could not create unique index \"%s\"", index.name)),
          absl::StrFormat("Key (%s)=(%s) is duplicated.", absl::StrJoin(names, ", "),
                          absl::StrJoin(values, ", ")));
    }
    CAIRN_RETURN_IF_ERROR(written);
  }
  if (rows.size() < limit) return std::nullopt;
  return rows.back().key + std::string(1, '\0');
}

absl::Status AddIndex(proto::IndexDescriptor index, proto::TableDescriptor* descriptor,
                      txn::Txn* txn) {
  index.set_id(descriptor->next_index_id());
  descriptor->set_next_index_id(descriptor->next_index_id() + 1);
  *descriptor->add_indexes() = index;
  const catalog::TableInfo table(*descriptor);
  const catalog::IndexInfo& info = table.all_indexes().back();
  std::optional<std::string> next = "";
  while (next.has_value()) {
    CAIRN_ASSIGN_OR_RETURN(next, BackfillIndex(table, info, *next, kBackfillBatch, txn));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::optional<PreparedIndex>> PrepareIndex(const ast::CreateIndexStatement& stmt,
                                                          catalog::Catalog* catalog, txn::Txn* txn,
                                                          uint32_t database_id,
                                                          PrivilegeChecker* checker) {
  CAIRN_RETURN_IF_ERROR(CheckSchema(stmt.table));
  CAIRN_ASSIGN_OR_RETURN(auto table, catalog->GetTable(txn, database_id, stmt.table.name));
  if (!table) {
    return MakeError(ErrorCode::kUndefinedTable,
                     absl::StrFormat("relation \"%s\" does not exist", stmt.table.name),
                     stmt.table.position);
  }
  CAIRN_RETURN_IF_ERROR(checker->CheckTableOwner(*table));
  if (!stmt.method.empty() && stmt.method != "btree") {
    return NotSupported(absl::StrCat("index access method \"", stmt.method, "\""),
                        stmt.table.position);
  }
  if (stmt.where) return NotSupported("partial indexes", stmt.where->position);
  proto::IndexDescriptor index;
  index.set_unique(stmt.unique);
  std::vector<std::string> names;
  for (const ast::IndexElem& elem : stmt.elems) {
    if (elem.expr) return NotSupported("indexes on expressions", elem.expr->position);
    std::optional<int> pos = table->FindColumn(elem.column.name);
    if (!pos || table->columns()[*pos].hidden) {
      return MakeError(ErrorCode::kUndefinedColumn,
                       absl::StrFormat("column \"%s\" does not exist", elem.column.name),
                       elem.column.position);
    }
    const catalog::ColumnInfo& column = table->columns()[*pos];
    if (column.type.id == TypeId::kArray || IsJsonType(column.type.id)) {
      return NotSupported(absl::StrCat("indexes on ", TypeName(column.type), " columns"),
                          elem.column.position);
    }
    index.add_column_ids(column.id);
    index.add_descending(elem.direction == ast::SortDirection::kDesc);
    names.push_back(column.name);
  }
  for (const ast::Identifier& name : stmt.storing) {
    std::optional<int> pos = table->FindColumn(name.name);
    if (!pos || table->columns()[*pos].hidden) {
      return MakeError(ErrorCode::kUndefinedColumn,
                       absl::StrFormat("column \"%s\" does not exist", name.name), name.position);
    }
    index.add_storing_column_ids(table->columns()[*pos].id);
  }
  index.set_stores_included_values(true);
  if (stmt.name.name.empty()) {
    CAIRN_ASSIGN_OR_RETURN(std::string chosen,
                           ChooseName(catalog, txn, database_id, table->name(), names, "idx"));
    index.set_name(chosen);
  } else {
    CAIRN_ASSIGN_OR_RETURN(bool taken,
                           RelationNameTaken(catalog, txn, database_id, stmt.name.name));
    if (taken) {
      if (stmt.if_not_exists) return std::nullopt;
      return MakeError(ErrorCode::kDuplicateTable,
                       absl::StrFormat("relation \"%s\" already exists", stmt.name.name),
                       stmt.name.position);
    }
    index.set_name(stmt.name.name);
  }
  return PreparedIndex{*std::move(table), std::move(index)};
}

absl::StatusOr<std::string> CreateIndex(const ast::CreateIndexStatement& stmt,
                                        catalog::Catalog* catalog, txn::Txn* txn,
                                        uint32_t database_id, PrivilegeChecker* checker) {
  CAIRN_ASSIGN_OR_RETURN(std::optional<PreparedIndex> prepared,
                         PrepareIndex(stmt, catalog, txn, database_id, checker));
  if (!prepared.has_value()) return std::string("CREATE INDEX");  // IF NOT EXISTS
  proto::TableDescriptor descriptor = prepared->table.descriptor();
  CAIRN_RETURN_IF_ERROR(AddIndex(std::move(prepared->index), &descriptor, txn));
  CAIRN_RETURN_IF_ERROR(
      catalog->UpdateTable(txn, prepared->table.name(), std::move(descriptor)));
  return std::string("CREATE INDEX");
}

absl::StatusOr<std::string> DropIndexes(const ast::DropIndexStatement& stmt,
                                        catalog::Catalog* catalog, txn::Txn* txn,
                                        uint32_t database_id, PrivilegeChecker* checker) {
  for (const ast::ObjectName& name : stmt.names) {
    CAIRN_RETURN_IF_ERROR(CheckSchema(name));
    CAIRN_ASSIGN_OR_RETURN(auto tables, catalog->ListTables(txn, database_id));
    const catalog::TableInfo* owner = nullptr;
    int found = -1;
    for (const catalog::TableInfo& t : tables) {
      if (t.primary_index_name() == name.name) {
        return MakeError(ErrorCode::kDependentObjectsStillExist,
                         absl::StrFormat("cannot drop index %s because constraint %s on table %s "
                                         "requires it",
                                         name.name, name.name, t.name()));
      }
      // An index still being built (or left by a failed build) may go too.
      for (size_t i = 0; i < t.all_indexes().size(); ++i) {
        if (t.all_indexes()[i].name == name.name) owner = &t, found = static_cast<int>(i);
      }
    }
    if (owner == nullptr) {
      if (stmt.if_exists) continue;
      return MakeError(ErrorCode::kUndefinedObject,
                       absl::StrFormat("index \"%s\" does not exist", name.name), name.position);
    }
    const catalog::IndexInfo& index = owner->all_indexes()[found];
    if (index.is_constraint) {
      return MakeError(ErrorCode::kDependentObjectsStillExist,
                       absl::StrFormat("cannot drop index %s because constraint %s on table %s "
                                       "requires it",
                                       name.name, name.name, owner->name()));
    }
    CAIRN_RETURN_IF_ERROR(checker->CheckTableOwner(*owner));
    CAIRN_RETURN_IF_ERROR(DeleteIndexEntries(txn, owner->id(), index.id));
    proto::TableDescriptor descriptor = owner->descriptor();
    descriptor.mutable_indexes()->DeleteSubrange(found, 1);
    CAIRN_RETURN_IF_ERROR(catalog->UpdateTable(txn, owner->name(), std::move(descriptor)));
  }
  return std::string("DROP INDEX");
}

}  // namespace cairn::executor
