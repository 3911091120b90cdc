// Window function calls: f(args) OVER (PARTITION BY ... ORDER BY ...
// frame). Each is bound over the rows the window node reads (the query's
// rows, or its groups when it aggregates), collected in the binder's
// WindowContext, and replaced by a reference to its result column.
#include "absl/strings/str_format.h"
#include "common/error_code.h"
#include "planner/binder/expression_binder.h"
#include "planner/functions.h"

namespace cairn::planner {
namespace {

WindowCall::Bound BoundKind(ast::WindowFrameBound::Kind kind) {
  using K = ast::WindowFrameBound::Kind;
  switch (kind) {
    case K::kUnboundedPreceding: return WindowCall::Bound::kUnboundedPreceding;
    case K::kPreceding: return WindowCall::Bound::kPreceding;
    case K::kCurrentRow: return WindowCall::Bound::kCurrentRow;
    case K::kFollowing: return WindowCall::Bound::kFollowing;
    case K::kUnboundedFollowing: return WindowCall::Bound::kUnboundedFollowing;
  }
  return WindowCall::Bound::kCurrentRow;
}

}  // namespace

absl::StatusOr<BoundExprPtr> ExpressionBinder::BindWindowCall(const ast::FunctionExpr& f) {
  if (window_ == nullptr) {
    return MakeError(ErrorCode::kWindowingError, "window functions are not allowed here",
                     f.position);
  }
  if (f.distinct) {
    return MakeError(ErrorCode::kFeatureNotSupported,
                     "DISTINCT is not implemented for window functions", f.position);
  }
  if (!IsWindowOnlyFunction(f.name) && !IsAggregateFunction(f.name)) {
    return MakeError(ErrorCode::kWrongObjectType,
                     absl::StrFormat("OVER specified, but %s is not a window function nor an "
                                     "aggregate function",
                                     f.name),
                     f.position);
  }
  // Window calls do not nest: the parts are bound without the context.
  WindowContext* context = window_;
  window_ = nullptr;
  struct Restore {
    ExpressionBinder* binder;
    WindowContext* context;
    ~Restore() { binder->window_ = context; }
  } restore{this, context};

  WindowCall call;
  call.function = f.name;
  std::vector<SqlType> types;
  for (const auto& a : f.args) {
    CAIRN_ASSIGN_OR_RETURN(auto b, Bind(*a));
    types.push_back(b->type);
    call.args.push_back(std::move(b));
  }
  const std::string& n = f.name;
  auto wrong_args = [&]() -> absl::Status {
    return MakeError(ErrorCode::kUndefinedFunction,
                     absl::StrFormat("function %s with %d arguments does not exist", n,
                                     f.args.size()),
                     f.position);
  };
  if (n == "row_number" || n == "rank" || n == "dense_rank") {
    if (!f.args.empty()) return wrong_args();
    call.type = SqlType::Of(TypeId::kInt64);
  } else if (n == "percent_rank" || n == "cume_dist") {
    if (!f.args.empty()) return wrong_args();
    call.type = SqlType::Of(TypeId::kFloat64);
  } else if (n == "ntile") {
    if (f.args.size() != 1 || (!IsIntegerType(types[0].id) && types[0].id != TypeId::kUnknown)) {
      return wrong_args();
    }
    CAIRN_ASSIGN_OR_RETURN(call.args[0], Coerce(std::move(call.args[0]), SqlType::Of(TypeId::kInt64)));
    call.type = SqlType::Of(TypeId::kInt32);
  } else if (n == "lag" || n == "lead" || n == "first_value" || n == "last_value" ||
             n == "nth_value") {
    const size_t most = n == "lag" || n == "lead" ? 3 : (n == "nth_value" ? 2 : 1);
    const size_t least = n == "nth_value" ? 2 : 1;
    if (f.args.size() < least || f.args.size() > most) return wrong_args();
    call.type = types[0].id == TypeId::kUnknown ? SqlType::Of(TypeId::kText) : types[0];
    CAIRN_ASSIGN_OR_RETURN(call.args[0], Coerce(std::move(call.args[0]), call.type));
    if (call.args.size() >= 2) {
      if (!IsIntegerType(types[1].id) && types[1].id != TypeId::kUnknown) return wrong_args();
      CAIRN_ASSIGN_OR_RETURN(call.args[1],
                             Coerce(std::move(call.args[1]), SqlType::Of(TypeId::kInt64)));
    }
    if (call.args.size() == 3) {
      // lag(x, n, default): the default takes x's type.
      CAIRN_ASSIGN_OR_RETURN(SqlType common, CommonType(call.type, types[2], n, f.position));
      if (common.id != call.type.id) return wrong_args();
      CAIRN_ASSIGN_OR_RETURN(call.args[2], Coerce(std::move(call.args[2]), call.type));
    }
  } else {
    // An aggregate over the frame.
    if (f.star) {
      if (n != "count") return wrong_args();
      call.type = SqlType::Of(TypeId::kInt64);
    } else {
      if (f.args.size() != 1) return wrong_args();
      CAIRN_ASSIGN_OR_RETURN(call.type, AggregateResultType(n, types[0], f.position));
    }
  }
  for (const auto& p : f.over->partition_by) {
    CAIRN_ASSIGN_OR_RETURN(auto b, Bind(*p));
    call.partition_by.push_back(std::move(b));
  }
  for (const auto& o : f.over->order_by) {
    SortKey key = SortKeyOrder(o);
    CAIRN_ASSIGN_OR_RETURN(key.expr, Bind(*o.expr));
    call.order_by.push_back(std::move(key));
  }
  if (f.over->has_frame) {
    call.has_frame = true;
    call.rows = f.over->rows;
    call.start = BoundKind(f.over->start.kind);
    call.end = BoundKind(f.over->end.kind);
    if (call.start == WindowCall::Bound::kUnboundedFollowing ||
        call.end == WindowCall::Bound::kUnboundedPreceding) {
      return MakeError(ErrorCode::kWindowingError,
                       call.start == WindowCall::Bound::kUnboundedFollowing
                           ? "frame start cannot be UNBOUNDED FOLLOWING"
                           : "frame end cannot be UNBOUNDED PRECEDING",
                       f.position);
    }
    for (auto* bound : {&f.over->start, &f.over->end}) {
      if (!bound->offset) continue;
      if (!call.rows) {
        // RANGE: the offset is a distance in the one ORDER BY column's
        // values (an interval for dates and timestamps).
        if (call.order_by.size() != 1) {
          return MakeError(ErrorCode::kWindowingError,
                           "RANGE with offset PRECEDING/FOLLOWING requires exactly one ORDER BY "
                           "column",
                           bound->offset->position);
        }
        const SqlType key = call.order_by[0].expr->type;
        SqlType distance;
        if (IsNumericType(key.id)) {
          distance = IsIntegerType(key.id) ? SqlType::Of(TypeId::kInt64) : SqlType::Of(key.id);
        } else if (IsTimeType(key.id) || key.id == TypeId::kInterval) {
          distance = SqlType::Of(TypeId::kInterval);
        } else {
          return MakeError(ErrorCode::kFeatureNotSupported,
                           absl::StrFormat("RANGE with offset PRECEDING/FOLLOWING is not supported "
                                           "for column type %s",
                                           TypeName(key)),
                           bound->offset->position);
        }
        CAIRN_ASSIGN_OR_RETURN(auto offset, Bind(*bound->offset));
        CAIRN_ASSIGN_OR_RETURN(offset, Coerce(std::move(offset), distance));
        (bound == &f.over->start ? call.start_offset : call.end_offset) = std::move(offset);
        continue;
      }
      CAIRN_ASSIGN_OR_RETURN(auto offset, Bind(*bound->offset));
      if (!IsIntegerType(offset->type.id) && offset->type.id != TypeId::kUnknown) {
        return MakeError(ErrorCode::kDatatypeMismatch, "frame offset must be an integer",
                         bound->offset->position);
      }
      CAIRN_ASSIGN_OR_RETURN(offset, Coerce(std::move(offset), SqlType::Of(TypeId::kInt64)));
      (bound == &f.over->start ? call.start_offset : call.end_offset) = std::move(offset);
    }
  }
  const SqlType type = call.type;
  const int index = static_cast<int>(context->calls->size());
  context->calls->push_back(std::move(call));
  return BoundExpr::Column(kWindowColumnBase + index, type, f.name);
}

}  // namespace cairn::planner
