#pragma once

#include <string>

#include "absl/status/status.h"
#include "catalog/table_info.h"
#include "common/value.h"
#include "executor/exec_context.h"

// FOREIGN KEY constraints as rows are written (executor/row_writer.cc): a
// child row's key must be a parent row's (23503 otherwise), and a parent
// row referenced by children may not go, nor its referenced columns change
// (23503), unless the constraint's action says what becomes of the
// children: CASCADE deletes them (ON DELETE) or gives them the new values
// (ON UPDATE), SET NULL empties their referencing columns. As in
// PostgreSQL, the checks run at the end of the statement
// (ExecContext::end_of_statement_checks): a row may reference one that the
// same statement writes later, or itself (a table may reference itself),
// and a statement may delete a whole tree of rows; NO ACTION then accepts a
// key that a parent row holds again, RESTRICT does not. A DEFERRABLE
// constraint's checks wait for COMMIT when INITIALLY DEFERRED or after SET
// CONSTRAINTS ... DEFERRED. A child write also writes its parent row
// back unchanged, so that a concurrent delete of the parent conflicts with
// it (40001 for one) instead of leaving an orphan, as PostgreSQL's row
// locks prevent.
namespace cairn::executor {

// A constraint's ON DELETE action (descriptors from before on_delete
// existed say CASCADE with on_delete_cascade).
proto::ForeignKey::Action OnDeleteAction(const proto::ForeignKey& fk);
// PostgreSQL's letter for an action (pg_constraint.confdeltype) and its
// words ("SET NULL"; empty for NO ACTION, which pg_get_constraintdef omits).
char ActionLetter(proto::ForeignKey::Action action);
std::string ActionWords(proto::ForeignKey::Action action);

// Queues the checks that `row`'s keys are parent rows' for the end of the
// statement, or for COMMIT where a constraint is deferred.
absl::Status CheckParentsExist(const catalog::TableInfo& child, const Row& row, ExecContext* ctx);

// Runs (and removes) the deferred checks of `constraints` (all when empty),
// in `ctx`: at COMMIT, or at SET CONSTRAINTS ... IMMEDIATE.
absl::Status RunDeferredChecks(std::vector<DeferredCheck>* checks,
                               const std::vector<std::string>& constraints, ExecContext* ctx);

// That every row `child` holds references a parent row under `fk` (ALTER
// TABLE ... ADD FOREIGN KEY); 23503 for the first that does not.
absl::Status ValidateForeignKey(const catalog::TableInfo& child, const proto::ForeignKey& fk,
                                ExecContext* ctx);

// `row` of `parent` is being deleted (`new_row` null) or its referenced
// columns changed to `new_row`'s: refuses, or applies each constraint's
// action to the children. For a change, call it once the parent's new row
// is written (cascaded children look their new parent up).
absl::Status ApplyToChildren(const catalog::TableInfo& parent, const Row& row, const Row* new_row,
                             ExecContext* ctx);

// Whether the child row's foreign key columns of any constraint changed
// from `old_row` to `new_row`; and the parent's referenced ones.
bool ForeignKeyColumnsChanged(const catalog::TableInfo& child, const Row& old_row,
                              const Row& new_row);
absl::StatusOr<bool> ReferencedColumnsChanged(const catalog::TableInfo& parent, const Row& old_row,
                                              const Row& new_row, ExecContext* ctx);

}  // namespace cairn::executor
