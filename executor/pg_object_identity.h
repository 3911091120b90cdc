#pragma once

#include <cstdint>
#include <string>

#include "catalog/table_info.h"

// How CairnDB's objects appear in PostgreSQL's catalogs: the OIDs that
// pg_class, pg_index and pg_constraint give tables, indexes and
// constraints, and their definitions as pg_get_indexdef and
// pg_get_constraintdef print them. One place, so that the system views
// and the catalog functions agree.
namespace cairn::executor {

// The schemas (pg_namespace) and where table OIDs start, as in PostgreSQL.
inline constexpr int64_t kPgCatalogNamespaceOid = 11;
inline constexpr int64_t kPgPublicNamespaceOid = 2200;
inline constexpr int64_t kPgInformationSchemaOid = 13000;
inline constexpr int64_t kPgFirstTableOid = 16384;

// The OIDs the views give a table, its primary key index, and the primary
// key constraint (pg_constraint).
int64_t PgTableOid(const catalog::TableInfo& table);
int64_t PgIndexOid(const catalog::TableInfo& table);
int64_t PgConstraintOid(const catalog::TableInfo& table);
// Whether the table has a primary key of its own (not the hidden row id).
bool HasPgPrimaryKey(const catalog::TableInfo& table);
// Secondary indexes and the UNIQUE constraints they back.
int64_t PgSecondaryIndexOid(const catalog::TableInfo& table, const catalog::IndexInfo& index);
int64_t PgUniqueConstraintOid(const catalog::TableInfo& table, const catalog::IndexInfo& index);
std::string PgSecondaryIndexDef(const catalog::TableInfo& table, const catalog::IndexInfo& index);
std::string PgUniqueConstraintDef(const catalog::TableInfo& table, const catalog::IndexInfo& index);
// The `check`-th CHECK constraint of the table.
int64_t PgCheckConstraintOid(const catalog::TableInfo& table, int check);
// The `fk`-th FOREIGN KEY of the table, and its pg_get_constraintdef.
int64_t PgForeignKeyOid(const catalog::TableInfo& table, int fk);
std::string PgForeignKeyDef(const catalog::TableInfo& table, const proto::ForeignKey& fk,
                            const catalog::TableInfo& parent);
// pg_get_indexdef and pg_get_constraintdef of a primary key.
std::string PgIndexDef(const catalog::TableInfo& table);
std::string PgPrimaryKeyDef(const catalog::TableInfo& table);
// The name of a schema OID ("" if none).
std::string PgNamespaceName(int64_t oid);

}  // namespace cairn::executor
