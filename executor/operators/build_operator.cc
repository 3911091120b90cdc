#include "common/error_code.h"
#include "executor/operator.h"

namespace cairn::executor {

namespace {

absl::StatusOr<OperatorPtr> BuildBare(const planner::PlanNode& plan, ExecContext* ctx) {
  using planner::PlanKind;
  OperatorPtr child;
  if (!plan.children.empty()) {
    CAIRN_ASSIGN_OR_RETURN(child, BuildOperator(*plan.children[0], ctx));
  }
  switch (plan.kind) {
    case PlanKind::kValues: return MakeValuesOperator(plan, ctx);
    case PlanKind::kScan: return MakeScanOperator(plan, ctx);
    case PlanKind::kSeries: return MakeSeriesOperator(plan, ctx);
    case PlanKind::kRecursiveUnion:
      return MakeRecursiveUnionOperator(plan, std::move(child), ctx);
    case PlanKind::kWorkTable: return MakeWorkTableOperator(plan, ctx);
    case PlanKind::kFilter: return MakeFilterOperator(plan, std::move(child), ctx);
    case PlanKind::kProject: return MakeProjectOperator(plan, std::move(child), ctx);
    case PlanKind::kProjectSet: return MakeProjectSetOperator(plan, std::move(child), ctx);
    case PlanKind::kWindow: return MakeWindowOperator(plan, std::move(child), ctx);
    case PlanKind::kAggregate: return MakeAggregateOperator(plan, std::move(child), ctx);
    case PlanKind::kSort: return MakeSortOperator(plan, std::move(child), ctx);
    case PlanKind::kLimit: return MakeLimitOperator(plan, std::move(child), ctx);
    case PlanKind::kDistinct: return MakeDistinctOperator(plan, std::move(child));
    case PlanKind::kSetOp: {
      CAIRN_ASSIGN_OR_RETURN(OperatorPtr right, BuildOperator(*plan.children[1], ctx));
      return MakeSetOpOperator(plan, std::move(child), std::move(right));
    }
    case PlanKind::kJoin: {
      if (plan.lookup_join) return MakeLookupJoinOperator(plan, std::move(child), ctx);
      CAIRN_ASSIGN_OR_RETURN(OperatorPtr right, BuildOperator(*plan.children[1], ctx));
      if (plan.merge_join)
        return MakeMergeJoinOperator(plan, std::move(child), std::move(right), ctx);
      return MakeJoinOperator(plan, std::move(child), std::move(right), ctx);
    }
    case PlanKind::kInsert:
    case PlanKind::kUpdate:
    case PlanKind::kDelete:
      return MakeError(ErrorCode::kInternal, "DML operators are built by the statement runner");
  }
  return MakeError(ErrorCode::kInternal, "unknown plan node");
}

}  // namespace

absl::StatusOr<OperatorPtr> BuildOperator(const planner::PlanNode& plan, ExecContext* ctx) {
  CAIRN_ASSIGN_OR_RETURN(OperatorPtr op, BuildBare(plan, ctx));
  return Instrument(plan, std::move(op), ctx);
}

}  // namespace cairn::executor
