#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/sql_type.h"
#include "common/value.h"

namespace cairn::planner {

// A typed expression after name resolution: column references are positions
// in the input row of the operator that evaluates it. Immutable once bound;
// the executor evaluates it against rows.
enum class BoundExprKind : uint8_t {
  kConstant,   // value
  kColumn,     // column_index into the input row
  kParameter,  // parameter_index ($1 is 0), bound by the extended protocol
  kNot,        // children[0]
  kNegate,     // children[0]
  kArith,      // op: + - * / %; children[0], children[1]
  kCompare,    // op: = <> < <= > >=
  kAnd,        // children (two or more)
  kOr,
  kConcat,     // ||
  kIsNull,     // negated: IS NOT NULL
  kIsBool,     // IS [NOT] TRUE/FALSE/UNKNOWN: bool_test, negated
  kIsDistinct, // negated: IS NOT DISTINCT FROM
  kInList,     // children[0] IN (children[1..]); negated: NOT IN
  kLike,       // children[0] LIKE children[1]; negated; case_insensitive
  kCase,       // children: [operand?] (when, then)* [else]; has_operand, has_else
  kCast,       // children[0] to `type`
  kFunction,   // name, children
  kOuterColumn,  // column_index into the row of the query outer_depth levels up
  kSubquery,     // subplan run per evaluation (or once, unless correlated);
                 // subquery_kind; kIn/kAny/kAll: children[0] compare_op each row
  kArray,        // ARRAY[children...], of type ArrayOf(element)
  kArrayCompare, // children[0] compare_op ANY (negated: ALL) the array children[1]
};

enum class SubqueryKind : uint8_t {
  kScalar,  // its one row's one column, NULL without rows, 21000 with more
  kExists,
  kAny,     // IN is = ANY; NOT IN is negated = ANY
  kAll,
  kArray,   // ARRAY(SELECT ...): its rows' one column as an array
};

enum class ArithOp : uint8_t { kAdd, kSub, kMul, kDiv, kMod };
enum class CompareOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

struct BoundExpr;
using BoundExprPtr = std::unique_ptr<BoundExpr>;
struct PlanNode;

struct BoundExpr {
  BoundExprKind kind = BoundExprKind::kConstant;
  SqlType type;
  int position = 0;  // in the query text, for errors raised while evaluating

  Value value;            // kConstant
  int column_index = -1;  // kColumn
  int parameter_index = -1;
  ArithOp arith_op = ArithOp::kAdd;
  CompareOp compare_op = CompareOp::kEq;
  bool negated = false;
  bool case_insensitive = false;
  bool has_operand = false;  // kCase
  bool has_else = false;     // kCase
  bool explicit_cast = false;  // kCast: CAST/:: (truncates) rather than assignment
  int bool_test = 0;         // kIsBool: 0 true, 1 false, 2 unknown
  std::string name;          // kFunction (lower case); kColumn: display name
  std::vector<BoundExprPtr> children;
  int outer_depth = 0;       // kOuterColumn: 1 = the directly enclosing query
  SubqueryKind subquery_kind = SubqueryKind::kScalar;
  bool correlated = false;   // kSubquery: reads the enclosing row
  std::shared_ptr<const PlanNode> subplan;  // kSubquery (immutable, shared by clones)

  static BoundExprPtr Constant(Value v, SqlType type);
  static BoundExprPtr Column(int index, SqlType type, std::string name);
  BoundExprPtr Clone() const;
  // For EXPLAIN: SQL-ish text, columns by name.
  std::string ToString() const;
  bool IsConstant() const { return kind == BoundExprKind::kConstant; }
};

}  // namespace cairn::planner
