#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "catalog/catalog.h"
#include "parser/ast/names.h"
#include "planner/binder/binder.h"
#include "txn/txn.h"

namespace cairn::executor {

// The system views that PostgreSQL clients read to learn the schema:
// pg_catalog's pg_namespace, pg_class, pg_attribute, pg_type, pg_index,
// pg_database, pg_roles, pg_user, pg_tables and pg_am, and information_schema's
// schemata, tables and columns, each computed from CairnDB's catalog in the
// statement's transaction. Only the columns clients commonly read are
// there. OIDs are stable: a table's is 16384 + 2 * its id, its primary
// index's one more; object ids are bigint (CairnDB has no oid type).

struct SystemViewSource {
  catalog::Catalog* catalog = nullptr;
  txn::Txn* txn = nullptr;
  uint32_t database_id = 0;
  std::string database;
  std::string user;
  // The session's settings, for pg_settings: (name, value).
  std::vector<std::pair<std::string, std::string>> settings;
};

// The view `name` names: pg_catalog.x (or x alone, as pg_catalog comes
// first on PostgreSQL's search path) or information_schema.x. nullopt for
// any other name.
absl::StatusOr<std::optional<planner::TableResolver::SystemView>> BuildSystemView(
    const ast::ObjectName& name, const SystemViewSource& source);

// The type PostgreSQL's format_type(type_oid, typmod) names.
std::string FormatPgType(int64_t type_oid, int64_t typmod);

}  // namespace cairn::executor
