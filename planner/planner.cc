#include "planner/planner.h"

#include "common/error_code.h"
#include "parser/ast/dml.h"
#include "planner/optimizer/covering_scans.h"
#include "planner/optimizer/join_method.h"
#include "planner/optimizer/join_order.h"
#include "planner/optimizer/leaseholder_pushdown.h"
#include "planner/optimizer/predicate_pushdown.h"
#include "planner/optimizer/primary_key_access.h"
#include "planner/optimizer/sort_elimination.h"

namespace cairn::planner {

absl::StatusOr<PlanPtr> PlanQuery(const ast::Statement& statement, TableResolver* resolver,
                                  const PlannerSettings& settings) {
  Binder binder(resolver);
  absl::StatusOr<PlanPtr> plan;
  switch (statement.kind) {
    case ast::StatementKind::kSelect:
      plan = binder.BindSelect(statement.As<ast::SelectStatement>());
      break;
    case ast::StatementKind::kInsert:
      plan = binder.BindInsert(statement.As<ast::InsertStatement>());
      break;
    case ast::StatementKind::kUpdate:
      plan = binder.BindUpdate(statement.As<ast::UpdateStatement>());
      break;
    case ast::StatementKind::kDelete:
      plan = binder.BindDelete(statement.As<ast::DeleteStatement>());
      break;
    default:
      return MakeError(ErrorCode::kInternal, "statement is not a query");
  }
  if (!plan.ok()) return plan.status();
  PushDownPredicates(&*plan);
  ChoosePrimaryKeyAccess(plan->get());
  ReorderJoins(&*plan);
  ChooseJoinMethods(&*plan, {.hash = settings.enable_hashjoin, .merge = settings.enable_mergejoin});
  RemoveNeedlessSorts(&*plan);
  UseCoveringScans(plan->get());
  if (settings.enable_pushdown) PushDownToLeaseholders(plan->get());
  return plan;
}

}  // namespace cairn::planner
