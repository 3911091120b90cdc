#include "executor/pg_object_identity.h"

#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "executor/foreign_keys.h"
#include "parser/ast/sql_text.h"

namespace cairn::executor {

int64_t PgTableOid(const catalog::TableInfo& t) { return kPgFirstTableOid + 2 * int64_t{t.id()}; }
int64_t PgIndexOid(const catalog::TableInfo& t) { return PgTableOid(t) + 1; }
// Constraints number apart from relations, above the range tables use.
int64_t PgConstraintOid(const catalog::TableInfo& t) { return 1'000'000'000 + int64_t{t.id()}; }

// A table created without a primary key has a hidden row id for one, which
// PostgreSQL clients must not see as an index.
bool HasPgPrimaryKey(const catalog::TableInfo& t) {
  return !t.primary_key().empty() && !t.columns()[t.primary_key()[0]].hidden;
}

namespace {
std::string KeyColumnList(const catalog::TableInfo& t) {
  std::string out;
  for (size_t k = 0; k < t.primary_key().size(); ++k) {
    if (k > 0) out += ", ";
    out += ast::QuoteIdentifier(t.columns()[t.primary_key()[k]].name);
    if (t.primary_key_descending()[k]) out += " DESC";
  }
  return out;
}
}  // namespace

int64_t PgSecondaryIndexOid(const catalog::TableInfo& t, const catalog::IndexInfo& index) {
  return 200'000'000 + int64_t{t.id()} * 1000 + index.id;
}
int64_t PgUniqueConstraintOid(const catalog::TableInfo& t, const catalog::IndexInfo& index) {
  return 1'100'000'000 + int64_t{t.id()} * 1000 + index.id;
}

namespace {
std::string IndexColumnList(const catalog::TableInfo& t, const catalog::IndexInfo& index) {
  std::string out;
  for (size_t k = 0; k < index.columns.size(); ++k) {
    if (k > 0) out += ", ";
    out += ast::QuoteIdentifier(t.columns()[index.columns[k]].name);
    if (index.descending[k]) out += " DESC";
  }
  return out;
}
}  // namespace

std::string PgSecondaryIndexDef(const catalog::TableInfo& t, const catalog::IndexInfo& index) {
  std::string out =
      absl::StrCat("CREATE ", index.unique ? "UNIQUE " : "", "INDEX ",
                   ast::QuoteIdentifier(index.name), " ON public.", ast::QuoteIdentifier(t.name()),
                   " USING btree (", IndexColumnList(t, index), ")");
  if (!index.storing.empty()) {
    std::vector<std::string> names;
    for (int pos : index.storing) names.push_back(ast::QuoteIdentifier(t.columns()[pos].name));
    absl::StrAppend(&out, " INCLUDE (", absl::StrJoin(names, ", "), ")");
  }
  return out;
}

int64_t PgForeignKeyOid(const catalog::TableInfo& t, int fk) {
  return 1'300'000'000 + int64_t{t.id()} * 1000 + fk;
}

std::string PgForeignKeyDef(const catalog::TableInfo& t, const proto::ForeignKey& fk,
                            const catalog::TableInfo& parent) {
  std::vector<std::string> mine, theirs;
  for (uint32_t id : fk.column_ids()) {
    mine.push_back(ast::QuoteIdentifier(t.columns()[*t.ColumnPosition(id)].name));
  }
  for (uint32_t id : fk.ref_column_ids()) {
    theirs.push_back(ast::QuoteIdentifier(parent.columns()[*parent.ColumnPosition(id)].name));
  }
  // As PostgreSQL prints it: ON UPDATE before ON DELETE, NO ACTION left out.
  const std::string on_update = ActionWords(fk.on_update());
  const std::string on_delete = ActionWords(OnDeleteAction(fk));
  return absl::StrCat("FOREIGN KEY (", absl::StrJoin(mine, ", "), ") REFERENCES ",
                      ast::QuoteIdentifier(parent.name()), "(", absl::StrJoin(theirs, ", "), ")",
                      on_update.empty() ? "" : " ON UPDATE " + on_update,
                      on_delete.empty() ? "" : " ON DELETE " + on_delete,
                      !fk.deferrable()          ? ""
                      : fk.initially_deferred() ? " DEFERRABLE INITIALLY DEFERRED"
                                                : " DEFERRABLE");
}

int64_t PgCheckConstraintOid(const catalog::TableInfo& t, int check) {
  return 1'200'000'000 + int64_t{t.id()} * 1000 + check;
}

std::string PgUniqueConstraintDef(const catalog::TableInfo& t, const catalog::IndexInfo& index) {
  return absl::StrCat("UNIQUE (", IndexColumnList(t, index), ")");
}

std::string PgIndexDef(const catalog::TableInfo& t) {
  return absl::StrCat("CREATE UNIQUE INDEX ", ast::QuoteIdentifier(t.primary_index_name()),
                      " ON public.", ast::QuoteIdentifier(t.name()), " USING btree (",
                      KeyColumnList(t), ")");
}

std::string PgPrimaryKeyDef(const catalog::TableInfo& t) {
  return absl::StrCat("PRIMARY KEY (", KeyColumnList(t), ")");
}

std::string PgNamespaceName(int64_t oid) {
  if (oid == kPgCatalogNamespaceOid) return "pg_catalog";
  if (oid == kPgPublicNamespaceOid) return "public";
  if (oid == kPgInformationSchemaOid) return "information_schema";
  return "";
}

}  // namespace cairn::executor
