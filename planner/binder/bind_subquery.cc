// Subqueries in expressions (scalar, EXISTS, IN / ANY / ALL, ARRAY(...)),
// bound as plans of their own, and the columns of enclosing queries that
// they read (outer columns, which make a subquery correlated).
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/error_code.h"
#include "planner/binder/expression_binder.h"

namespace cairn::planner {

absl::StatusOr<BoundExprPtr> ExpressionBinder::BindOuterColumn(const ast::ColumnRefExpr& ref,
                                                               const absl::Status& not_here) {
  // Only a name that is unknown here may belong to an enclosing query; an
  // ambiguous one stays an error.
  const ErrorCode code = GetErrorCode(not_here);
  if (outer_depth_ == nullptr ||
      (code != ErrorCode::kUndefinedColumn && code != ErrorCode::kUndefinedTable)) {
    return not_here;
  }
  std::vector<std::string> qual = ref.qualifier();
  std::string table = qual.empty() ? "" : qual.back();
  int depth = 0;
  for (const Scope* outer = scope_->parent(); outer != nullptr; outer = outer->parent()) {
    ++depth;
    absl::StatusOr<int> index = outer->Resolve(table, ref.column(), ref.position);
    if (index.ok()) {
      auto e = std::make_unique<BoundExpr>();
      e->kind = BoundExprKind::kOuterColumn;
      e->type = outer->columns()[*index].type;
      e->position = ref.position;
      e->column_index = *index;
      e->outer_depth = depth;
      e->name = ref.ToString();
      *outer_depth_ = std::max(*outer_depth_, depth);
      return e;
    }
    const ErrorCode outer_code = GetErrorCode(index.status());
    if (outer_code != ErrorCode::kUndefinedColumn && outer_code != ErrorCode::kUndefinedTable) {
      return index.status();
    }
  }
  return not_here;
}

absl::StatusOr<BoundExprPtr> ExpressionBinder::BindSubquery(const ast::SubqueryExpr& expr) {
  if (!subquery_binder_) {
    return MakeError(ErrorCode::kFeatureNotSupported, "subqueries are not supported here",
                     expr.position);
  }
  int inner_depth = 0;
  CAIRN_ASSIGN_OR_RETURN(PlanPtr plan, subquery_binder_(*expr.query, scope_, &inner_depth));
  // A name the subquery found two levels out is one level out from here.
  if (inner_depth >= 2) *outer_depth_ = std::max(*outer_depth_, inner_depth - 1);

  auto e = std::make_unique<BoundExpr>();
  e->kind = BoundExprKind::kSubquery;
  e->type = SqlType::Of(TypeId::kBool);
  e->position = expr.position;
  e->correlated = inner_depth >= 1;
  if (expr.subquery_kind == ast::SubqueryKind::kExists) {
    e->subquery_kind = SubqueryKind::kExists;
    e->subplan = std::move(plan);
    return e;
  }
  if (plan->output.size() != 1) {
    return MakeError(
        ErrorCode::kSyntaxError,
        plan->output.size() > 1 ? "subquery has too many columns" : "subquery must return a column",
        expr.position);
  }
  if (expr.subquery_kind == ast::SubqueryKind::kScalar ||
      expr.subquery_kind == ast::SubqueryKind::kArray) {
    const bool array = expr.subquery_kind == ast::SubqueryKind::kArray;
    e->subquery_kind = array ? SubqueryKind::kArray : SubqueryKind::kScalar;
    e->type = plan->output[0].type.id == TypeId::kUnknown ? SqlType::Of(TypeId::kText)
                                                          : plan->output[0].type;
    if (array && e->type.id == TypeId::kArray) {
      return MakeError(ErrorCode::kFeatureNotSupported, "multidimensional arrays are not supported",
                       expr.position);
    }
    const SqlType column_type = e->type;
    if (array) e->type = SqlType::ArrayOf(column_type.id);
    if (column_type != plan->output[0].type) {
      CAIRN_ASSIGN_OR_RETURN(
          auto c, Coerce(BoundExpr::Column(0, plan->output[0].type, "?column?"), column_type));
      std::vector<BoundExprPtr> exprs;
      exprs.push_back(std::move(c));
      auto project = std::make_unique<PlanNode>(PlanKind::kProject);
      project->output = {{plan->output[0].name, column_type}};
      project->exprs = std::move(exprs);
      project->children.push_back(std::move(plan));
      plan = std::move(project);
    }
    e->subplan = std::move(plan);
    return e;
  }
  // operand op ANY|ALL (subquery); IN is = ANY. Both sides are brought to
  // their common type.
  using Op = ast::BinaryOp;
  CompareOp op;
  switch (expr.op) {
    case Op::kEq:
      op = CompareOp::kEq;
      break;
    case Op::kNe:
      op = CompareOp::kNe;
      break;
    case Op::kLt:
      op = CompareOp::kLt;
      break;
    case Op::kLe:
      op = CompareOp::kLe;
      break;
    case Op::kGt:
      op = CompareOp::kGt;
      break;
    case Op::kGe:
      op = CompareOp::kGe;
      break;
    default:
      return MakeError(ErrorCode::kFeatureNotSupported,
                       "only comparison operators are supported with ANY and ALL", expr.position);
  }
  CAIRN_ASSIGN_OR_RETURN(auto operand, Bind(*expr.operand));
  const SqlType column_type = plan->output[0].type;
  CAIRN_ASSIGN_OR_RETURN(
      SqlType common,
      CommonType(operand->type, column_type,
                 expr.subquery_kind == ast::SubqueryKind::kIn ? "IN" : "ANY/ALL", expr.position));
  if (common.id == TypeId::kUnknown) common = SqlType::Of(TypeId::kText);
  CAIRN_ASSIGN_OR_RETURN(operand, Coerce(std::move(operand), common));
  if (column_type != common) {
    CAIRN_ASSIGN_OR_RETURN(auto c, Coerce(BoundExpr::Column(0, column_type, "?column?"), common));
    std::vector<BoundExprPtr> exprs;
    exprs.push_back(std::move(c));
    auto project = std::make_unique<PlanNode>(PlanKind::kProject);
    project->output = {{plan->output[0].name, common}};
    project->exprs = std::move(exprs);
    project->children.push_back(std::move(plan));
    plan = std::move(project);
  }
  e->subquery_kind =
      expr.subquery_kind == ast::SubqueryKind::kAll ? SubqueryKind::kAll : SubqueryKind::kAny;
  e->compare_op = op;
  e->negated = expr.negated;
  e->children.push_back(std::move(operand));
  e->subplan = std::move(plan);
  return e;
}

}  // namespace cairn::planner
