#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "absl/status/statusor.h"
#include "catalog/catalog.h"
#include "executor/sql_session.h"
#include "kv/range_directory.h"
#include "parser/ast/names.h"
#include "txn/txn.h"

namespace cairn::executor {

// SHOW RANGES [FROM TABLE t]: one row per range of the table's key span (or
// of the whole keyspace): range_id, start_key, end_key (readable keys),
// replicas (the voters' node ids), lease_holder, range_size (approximate
// bytes, NULL when the node that answered holds no replica), learners
// (members still catching up, not voting yet).
std::vector<ResultColumn> ShowRangesColumns();
// `directory` may be null (an engine outside a node): not supported then.
absl::StatusOr<StatementResult> ShowRanges(kv::RangeDirectory* directory, catalog::Catalog* catalog,
                                           txn::Txn* txn, uint32_t database_id,
                                           const std::optional<ast::ObjectName>& table);

}  // namespace cairn::executor
