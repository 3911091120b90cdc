#include "executor/table_ranges.h"

#include "absl/strings/str_format.h"
#include "catalog/catalog_keys.h"
#include "catalog/row_codec.h"
#include "common/error_code.h"
#include "executor/expression_evaluator.h"
#include "planner/binder/expression_binder.h"
#include "planner/binder/scope.h"

namespace cairn::executor {
namespace {

absl::StatusOr<catalog::TableInfo> LookUpTable(catalog::Catalog* catalog, txn::Txn* txn,
                                               uint32_t database_id, const ast::ObjectName& name) {
  CAIRN_ASSIGN_OR_RETURN(auto table, catalog->GetTable(txn, database_id, name.name));
  if (!table) {
    return MakeError(ErrorCode::kUndefinedTable,
                     absl::StrFormat("relation \"%s\" does not exist", name.name), name.position);
  }
  return *std::move(table);
}

// The primary key prefix that one SPLIT AT row names, its values converted
// to the key columns' types as an INSERT would.
absl::StatusOr<std::string> SplitKey(const catalog::TableInfo& table,
                                     const std::vector<ast::ExprPtr>& row, ExecContext* ctx) {
  const std::vector<int>& key_columns = table.primary_key();
  if (row.size() > key_columns.size()) {
    return MakeError(ErrorCode::kSyntaxError,
                     absl::StrFormat("too many split values: the primary key of \"%s\" has %d "
                                     "column(s)",
                                     table.name(), key_columns.size()));
  }
  std::vector<Value> values;
  for (size_t i = 0; i < row.size(); ++i) {
    if (row[i] == nullptr) {
      return MakeError(ErrorCode::kSyntaxError, "DEFAULT is not a split value");
    }
    const catalog::ColumnInfo& column = table.columns()[key_columns[i]];
    planner::Scope empty;
    planner::ExpressionBinder binder(&empty);
    CAIRN_ASSIGN_OR_RETURN(auto bound, binder.Bind(*row[i]));
    CAIRN_ASSIGN_OR_RETURN(bound, planner::ExpressionBinder::CoerceForAssignment(
                                      std::move(bound), column.type, column.name));
    CAIRN_ASSIGN_OR_RETURN(Value value, Evaluate(*bound, Row{}, ctx));
    if (value.is_null()) {
      return MakeError(ErrorCode::kNotNullViolation,
                       absl::StrFormat("split value for \"%s\" is null", column.name));
    }
    values.push_back(std::move(value));
  }
  return catalog::EncodePrimaryKeyPrefix(table, values);
}

}  // namespace

absl::Status StartTableRange(kv::RangeDirectory* ranges, catalog::Catalog* catalog, txn::Txn* txn,
                             uint32_t database_id, const std::string& name) {
  if (ranges == nullptr) return absl::OkStatus();
  CAIRN_ASSIGN_OR_RETURN(auto table, catalog->GetTable(txn, database_id, name));
  if (!table) return absl::OkStatus();  // CREATE TABLE IF NOT EXISTS of a view, say
  CAIRN_RETURN_IF_ERROR(ranges->SplitAt(catalog::catalog_keys::TablePrefix(table->id())));
  // Its secondary indexes (UNIQUE constraints) each start one of their own.
  for (const catalog::IndexInfo& index : table->all_indexes()) {
    CAIRN_RETURN_IF_ERROR(
        ranges->SplitAt(catalog::catalog_keys::IndexPrefix(table->id(), index.id)));
  }
  return absl::OkStatus();
}

absl::Status StartIndexRange(kv::RangeDirectory* ranges, catalog::Catalog* catalog, txn::Txn* txn,
                             uint32_t database_id, const ast::CreateIndexStatement& stmt) {
  if (ranges == nullptr) return absl::OkStatus();
  CAIRN_ASSIGN_OR_RETURN(auto table, catalog->GetTable(txn, database_id, stmt.table.name));
  if (!table) return absl::OkStatus();
  const catalog::IndexInfo* index = nullptr;
  for (const catalog::IndexInfo& candidate : table->all_indexes()) {
    const bool named = !stmt.name.name.empty() && candidate.name == stmt.name.name;
    const bool newest = stmt.name.name.empty() && (index == nullptr || candidate.id > index->id);
    if (named || newest) index = &candidate;
  }
  if (index == nullptr) return absl::OkStatus();
  return ranges->SplitAt(catalog::catalog_keys::IndexPrefix(table->id(), index->id));
}

absl::StatusOr<std::string> SplitTableAt(const ast::AlterTableStatement& stmt,
                                         kv::RangeDirectory* ranges, catalog::Catalog* catalog,
                                         txn::Txn* txn, uint32_t database_id, ExecContext* ctx,
                                         PrivilegeChecker* checker) {
  if (ranges == nullptr) {
    return MakeError(ErrorCode::kFeatureNotSupported, "SPLIT AT needs a node's range routing");
  }
  if (stmt.cmds.size() != 1) {
    return MakeError(ErrorCode::kSyntaxError, "SPLIT AT cannot be combined with other commands",
                     stmt.cmds.front().position);
  }
  CAIRN_ASSIGN_OR_RETURN(catalog::TableInfo table,
                         LookUpTable(catalog, txn, database_id, stmt.table));
  CAIRN_RETURN_IF_ERROR(checker->CheckTableOwner(table));
  // All keys first: a bad row splits nothing.
  std::vector<std::string> keys;
  for (const auto& row : stmt.cmds.front().split_rows) {
    CAIRN_ASSIGN_OR_RETURN(std::string key, SplitKey(table, row, ctx));
    keys.push_back(std::move(key));
  }
  for (const std::string& key : keys) CAIRN_RETURN_IF_ERROR(ranges->SplitAt(key));
  return std::string("ALTER TABLE");
}

}  // namespace cairn::executor
