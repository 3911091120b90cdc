#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "parser/ast/expr.h"
#include "planner/binder/scope.h"
#include "planner/bound_expr.h"
#include "planner/plan.h"

namespace cairn::planner {

// Turns AST expressions into typed BoundExprs over a Scope, with
// PostgreSQL's typing rules: untyped literals take the type of what they meet,
// numbers widen (int2 < int4 < int8 < numeric < float4 < float8), and an
// operator with no matching types is 42883. Constants are folded as they
// are bound so that a bad literal fails with its position before execution.
//
// For queries with aggregation, set an AggregateContext: expressions equal
// to a GROUP BY item become references to the group column, aggregate calls
// are collected and become references to their result column, and any other
// column reference is a grouping error (42803).
// The direction and NULLS placement of an ORDER BY item, expression unset.
SortKey SortKeyOrder(const ast::OrderByItem& item);

class ExpressionBinder {
 public:
  struct AggregateContext {
    // GROUP BY items as written (compared by their SQL text) with their
    // bound form over the input scope.
    std::vector<std::string> group_texts;
    std::vector<SqlType> group_types;
    // Aggregates found so far; their results follow the groups.
    std::vector<AggregateCall>* aggregates = nullptr;
    std::vector<std::string> aggregate_texts;
    const Scope* input = nullptr;  // where aggregate arguments are bound
  };

  // For select lists with window functions: each call is bound here and
  // collected, and becomes a reference to column kWindowColumnBase + its
  // index, which the select binder renumbers once the columns before the
  // window results are known.
  static constexpr int kWindowColumnBase = 1 << 24;
  struct WindowContext {
    std::vector<WindowCall>* calls = nullptr;
  };

  explicit ExpressionBinder(const Scope* scope) : scope_(scope) {}

  void set_aggregate_context(AggregateContext* ctx) { agg_ = ctx; }
  void set_window_context(WindowContext* ctx) { window_ = ctx; }

  // Binds the query of a subquery met in an expression, with `outer` as
  // the scope its names fall back to; sets `*outer_depth` to how many
  // levels out its own names reached (0: uncorrelated).
  using SubqueryBinder = std::function<absl::StatusOr<PlanPtr>(
      const ast::QueryNode& query, const Scope* outer, int* outer_depth)>;
  // Allows subqueries; names this binder resolves in enclosing queries'
  // scopes raise `*outer_depth` (the enclosing Binder's record).
  void set_subquery_binder(SubqueryBinder binder, int* outer_depth) {
    subquery_binder_ = std::move(binder);
    outer_depth_ = outer_depth;
  }

  absl::StatusOr<BoundExprPtr> Bind(const ast::Expr& expr);
  // Binds and requires a boolean (WHERE, HAVING, ON): 42804 otherwise.
  absl::StatusOr<BoundExprPtr> BindCondition(const ast::Expr& expr, const char* clause);

  // l = r, with the operands brought to a common type (JOIN ... USING).
  absl::StatusOr<BoundExprPtr> BindEquality(BoundExprPtr l, BoundExprPtr r, int position) {
    return BindCompare(CompareOp::kEq, std::move(l), std::move(r), position, "=");
  }

  // Converts `e` to `type` for assignment into a column: 42804 when the
  // types don't allow it, with the column named in the message.
  static absl::StatusOr<BoundExprPtr> CoerceForAssignment(BoundExprPtr e, const SqlType& type,
                                                          const std::string& column);
  // Converts `e` to `type` as an implicit cast (constants are folded).
  static absl::StatusOr<BoundExprPtr> Coerce(BoundExprPtr e, const SqlType& type);
  // The type two operands are brought to for comparison or arithmetic.
  static absl::StatusOr<SqlType> CommonType(const SqlType& a, const SqlType& b,
                                            const std::string& op, int position);

 private:
  absl::StatusOr<BoundExprPtr> BindInner(const ast::Expr& expr);
  absl::StatusOr<BoundExprPtr> BindBinary(const ast::BinaryExpr& expr);
  absl::StatusOr<BoundExprPtr> BindFunction(const ast::FunctionExpr& expr);
  absl::StatusOr<BoundExprPtr> BindAggregate(const ast::FunctionExpr& expr);
  absl::StatusOr<BoundExprPtr> BindCase(const ast::CaseExpr& expr);
  absl::StatusOr<BoundExprPtr> BindSubquery(const ast::SubqueryExpr& expr);
  // regclass, regtype, regnamespace: OIDs that print as names. A cast from
  // a name gives the OID (bigint); one from an OID gives the name (text).
  static bool IsRegType(const ast::TypeName& type);
  absl::StatusOr<BoundExprPtr> BindRegCast(const ast::CastExpr& cast);
  // Arrays (bind_array_expr.cc): ARRAY[...], a[i], x op ANY|ALL (array).
  absl::StatusOr<BoundExprPtr> BindArray(const ast::ArrayExpr& expr);
  absl::StatusOr<BoundExprPtr> BindSubscript(const ast::SubscriptExpr& expr);
  absl::StatusOr<BoundExprPtr> BindArrayComparison(const ast::ArrayComparisonExpr& expr);
  // array_append, array_cat, ... over bound `args`: an untyped argument
  // takes the type the array's calls for; an element must be of the
  // array's element type or implicitly castable to it.
  absl::StatusOr<BoundExprPtr> BindArrayFunction(const std::string& name,
                                                 std::vector<BoundExprPtr> args, int position);
  static bool IsArrayFunction(const std::string& name);
  // The json/jsonb operators -> ->> #> #>> @> <@ ? ?| ?& (bind_json_expr.cc);
  // @> and <@ also compare arrays.
  absl::StatusOr<BoundExprPtr> BindJsonOperator(ast::BinaryOp op, BoundExprPtr l, BoundExprPtr r,
                                                int position);
  // A column of an enclosing query's scope, when `scope_` has none so named.
  absl::StatusOr<BoundExprPtr> BindOuterColumn(const ast::ColumnRefExpr& ref,
                                               const absl::Status& not_here);
  absl::StatusOr<BoundExprPtr> BindCompare(CompareOp op, BoundExprPtr l, BoundExprPtr r,
                                           int position, const std::string& op_text);
  absl::StatusOr<BoundExprPtr> BindArith(ArithOp op, BoundExprPtr l, BoundExprPtr r,
                                         int position, const std::string& op_text);
  // A call with arguments by name, f(a => 1): put in parameter order, with
  // the defaults of those not given (bind_named_arguments.cc).
  absl::StatusOr<BoundExprPtr> BindNamedArgumentCall(const ast::FunctionExpr& f);
  // Arithmetic with a date, timestamp or interval operand
  // (bind_datetime_arith.cc); a null result, with `l` and `r` untouched,
  // when neither side is one.
  absl::StatusOr<BoundExprPtr> BindDatetimeArith(ArithOp op, BoundExprPtr& l, BoundExprPtr& r,
                                                 int position, const std::string& op_text);

  const Scope* scope_;
  AggregateContext* agg_ = nullptr;
  WindowContext* window_ = nullptr;
  absl::StatusOr<BoundExprPtr> BindWindowCall(const ast::FunctionExpr& f);
  SubqueryBinder subquery_binder_;
  int* outer_depth_ = nullptr;
  bool in_aggregate_ = false;
};

}  // namespace cairn::planner
