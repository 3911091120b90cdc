#pragma once

#include <optional>
#include <string_view>

#include "planner/binder/binder.h"

// The pg_catalog tables CairnDB has no rows for (policies, publications,
// triggers, rewrite rules, sequences as relations, enums, inheritance,
// foreign and partitioned tables): their columns, so that the catalog
// queries clients and ORMs send plan and return nothing instead of failing.
namespace cairn::executor {

// The empty view of pg_catalog table `name`, or nullopt for another name.
std::optional<planner::TableResolver::SystemView> EmptyPgCatalog(std::string_view name);

}  // namespace cairn::executor
