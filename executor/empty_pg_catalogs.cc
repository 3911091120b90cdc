#include "executor/empty_pg_catalogs.h"

#include <utility>
#include <vector>

namespace cairn::executor {
namespace {

planner::OutputColumn Col(const char* name, TypeId type) { return {name, SqlType::Of(type)}; }
planner::OutputColumn ArrayCol(const char* name, TypeId element) {
  return {name, SqlType::ArrayOf(element)};
}

struct EmptyCatalog {
  const char* name;
  std::vector<planner::OutputColumn> columns;
};

const std::vector<EmptyCatalog>& EmptyCatalogs() {
  static const auto* catalogs = new std::vector<EmptyCatalog>{
      {"pg_policy",
       {Col("oid", TypeId::kInt64), Col("polname", TypeId::kText), Col("polrelid", TypeId::kInt64),
        Col("polcmd", TypeId::kText), Col("polpermissive", TypeId::kBool),
        ArrayCol("polroles", TypeId::kInt64), Col("polqual", TypeId::kText),
        Col("polwithcheck", TypeId::kText)}},
      {"pg_statistic_ext",
       {Col("oid", TypeId::kInt64), Col("stxrelid", TypeId::kInt64), Col("stxname", TypeId::kText),
        Col("stxnamespace", TypeId::kInt64), Col("stxowner", TypeId::kInt64),
        Col("stxstattarget", TypeId::kInt32), ArrayCol("stxkeys", TypeId::kInt16),
        ArrayCol("stxkind", TypeId::kText), Col("stxexprs", TypeId::kText)}},
      {"pg_publication",
       {Col("oid", TypeId::kInt64), Col("pubname", TypeId::kText), Col("pubowner", TypeId::kInt64),
        Col("puballtables", TypeId::kBool), Col("pubinsert", TypeId::kBool),
        Col("pubupdate", TypeId::kBool), Col("pubdelete", TypeId::kBool),
        Col("pubtruncate", TypeId::kBool), Col("pubviaroot", TypeId::kBool)}},
      {"pg_publication_rel",
       {Col("oid", TypeId::kInt64), Col("prpubid", TypeId::kInt64), Col("prrelid", TypeId::kInt64),
        Col("prqual", TypeId::kText), ArrayCol("prattrs", TypeId::kInt16)}},
      {"pg_publication_namespace",
       {Col("oid", TypeId::kInt64), Col("pnpubid", TypeId::kInt64),
        Col("pnnspid", TypeId::kInt64)}},
      {"pg_inherits",
       {Col("inhrelid", TypeId::kInt64), Col("inhparent", TypeId::kInt64),
        Col("inhseqno", TypeId::kInt32), Col("inhdetachpending", TypeId::kBool)}},
      {"pg_trigger",
       {Col("oid", TypeId::kInt64), Col("tgrelid", TypeId::kInt64),
        Col("tgparentid", TypeId::kInt64), Col("tgname", TypeId::kText),
        Col("tgenabled", TypeId::kText), Col("tgisinternal", TypeId::kBool)}},
      {"pg_rewrite",
       {Col("oid", TypeId::kInt64), Col("rulename", TypeId::kText), Col("ev_class", TypeId::kInt64),
        Col("ev_type", TypeId::kText)}},
      // SERIAL columns draw from sequences CairnDB keeps inside the catalog,
      // not as relations: none to list.
      {"pg_sequence",
       {Col("seqrelid", TypeId::kInt64), Col("seqtypid", TypeId::kInt64),
        Col("seqstart", TypeId::kInt64), Col("seqincrement", TypeId::kInt64),
        Col("seqmax", TypeId::kInt64), Col("seqmin", TypeId::kInt64),
        Col("seqcache", TypeId::kInt64), Col("seqcycle", TypeId::kBool)}},
      {"pg_enum",
       {Col("oid", TypeId::kInt64), Col("enumtypid", TypeId::kInt64),
        Col("enumsortorder", TypeId::kFloat32), Col("enumlabel", TypeId::kText)}},
      {"pg_foreign_table", {Col("ftrelid", TypeId::kInt64), Col("ftserver", TypeId::kInt64)}},
      {"pg_partitioned_table",
       {Col("partrelid", TypeId::kInt64), Col("partstrat", TypeId::kText),
        Col("partnatts", TypeId::kInt16)}},
  };
  return *catalogs;
}

}  // namespace

std::optional<planner::TableResolver::SystemView> EmptyPgCatalog(std::string_view name) {
  for (const EmptyCatalog& c : EmptyCatalogs()) {
    if (name == c.name) return planner::TableResolver::SystemView{c.name, c.columns, {}};
  }
  return std::nullopt;
}

}  // namespace cairn::executor
