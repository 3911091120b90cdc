#pragma once

#include "absl/status/status.h"
#include "catalog/table_info.h"
#include "common/value.h"
#include "executor/exec_context.h"

// FOREIGN KEY constraints as rows are written (executor/row_writer.cc): a
// child row's key must be a parent row's (23503 otherwise), and a parent
// row referenced by children may not go (23503) unless ON DELETE CASCADE
// takes the children with it. A child write also writes its parent row
// back unchanged, so that a concurrent delete of the parent conflicts with
// it (40001 for one) instead of leaving an orphan, as PostgreSQL's row
// locks prevent.
namespace cairn::executor {

absl::Status CheckParentsExist(const catalog::TableInfo& child, const Row& row, ExecContext* ctx);

// `row` of `parent` is about to be deleted (`deleting`) or have its
// referenced columns changed.
absl::Status CheckNoChildren(const catalog::TableInfo& parent, const Row& row, bool deleting,
                             ExecContext* ctx);

// Whether the child row's foreign key columns of any constraint changed
// from `old_row` to `new_row`; and the parent's referenced ones.
bool ForeignKeyColumnsChanged(const catalog::TableInfo& child, const Row& old_row,
                              const Row& new_row);
absl::StatusOr<bool> ReferencedColumnsChanged(const catalog::TableInfo& parent, const Row& old_row,
                                              const Row& new_row, ExecContext* ctx);

}  // namespace cairn::executor
