#pragma once

#include <cassert>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "parser/ast/type_name.h"

namespace cairn::ast {

class QueryNode;

enum class ExprKind : uint8_t {
  kConstant,   // ConstantExpr
  kParameter,  // ParameterExpr: $1
  kColumnRef,  // ColumnRefExpr: a, t.a
  kStar,       // StarExpr: * or t.* in a target list or RETURNING
  kUnary,      // UnaryExpr: NOT, -, +
  kBinary,     // BinaryExpr: AND, OR, comparisons, arithmetic, ||, IS DISTINCT FROM
  kIs,         // IsExpr: IS [NOT] NULL/TRUE/FALSE/UNKNOWN
  kBetween,    // BetweenExpr
  kInList,     // InListExpr: x [NOT] IN (a, b)
  kLike,       // LikeExpr: [NOT] LIKE/ILIKE [ESCAPE]
  kSubquery,   // SubqueryExpr: (SELECT ..), EXISTS, IN (SELECT ..), op ANY/ALL
  kFunction,   // FunctionExpr: f(args), count(*), CURRENT_DATE, EXTRACT
  kCast,       // CastExpr: CAST(x AS t), x::t, DATE '2024-01-01'
  kCase,       // CaseExpr
  kDefault,    // DefaultExpr: DEFAULT in VALUES rows and UPDATE SET
  kArray,      // ArrayExpr: ARRAY[a, b]
  kSubscript,  // SubscriptExpr: a[i]
  kArrayComparison,  // ArrayComparisonExpr: x op ANY|ALL (array)
};

// An expression node. Nodes are built by the parser and then read-only;
// each owns its children. Switch on `kind` and downcast with As<T>().
// Trees from the parser are at most ~1000 levels deep (deeper statements
// fail with 0A000), so recursive walks are safe.
//
// `position` is the 1-based character offset PostgreSQL would report for
// the node: an operator's own token for operators, the first token
// otherwise (the name of a function or column, the literal, CAST, '::').
class Expr {
 public:
  Expr(ExprKind kind, int position) : kind(kind), position(position) {}
  virtual ~Expr() = default;
  Expr(const Expr&) = delete;
  Expr& operator=(const Expr&) = delete;

  // SQL text that parses back to an equal tree. Operators are fully
  // parenthesised, as in PostgreSQL's deparsed expressions.
  virtual std::string ToString() const = 0;

  template <typename T>
  const T& As() const {
    assert(kind == T::kKind);
    return static_cast<const T&>(*this);
  }
  template <typename T>
  T& As() {
    assert(kind == T::kKind);
    return static_cast<T&>(*this);
  }

  const ExprKind kind;
  int position;
};

using ExprPtr = std::unique_ptr<Expr>;
using ExprList = std::vector<ExprPtr>;

enum class ConstantKind : uint8_t {
  kNull,
  kBool,
  kInteger,  // int_value; typed int4 when it fits, else int8 (PostgreSQL's rule)
  kNumeric,  // str_value: the literal's text ("1.5", "1e10", "-0.25", "99999999999999999999")
  kString,   // str_value: the bytes after quote and escape processing; type unknown
};

struct ConstantExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kConstant;
  ConstantExpr(ConstantKind constant_kind, int position)
      : Expr(kKind, position), constant_kind(constant_kind) {}
  std::string ToString() const override;

  ConstantKind constant_kind;
  bool bool_value = false;
  int64_t int_value = 0;
  std::string str_value;
};

struct ParameterExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kParameter;
  ParameterExpr(int index, int position) : Expr(kKind, position), index(index) {}
  std::string ToString() const override;

  int index;  // 1 for $1
};

struct ColumnRefExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kColumnRef;
  explicit ColumnRefExpr(int position) : Expr(kKind, position) {}
  std::string ToString() const override;

  const std::string& column() const { return names.back(); }
  // The qualifier ("t" in t.a, "s.t" parts in s.t.a); empty when unqualified.
  std::vector<std::string> qualifier() const {
    return {names.begin(), names.end() - 1};
  }

  std::vector<std::string> names;  // 1 to 4 parts, column last
};

struct StarExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kStar;
  explicit StarExpr(int position) : Expr(kKind, position) {}
  std::string ToString() const override;

  std::vector<std::string> qualifier;  // {"t"} for t.*; empty for *
};

enum class UnaryOp : uint8_t { kNot, kMinus, kPlus };

// A minus applied directly to a numeric literal is folded into the literal,
// as PostgreSQL does, so -1 is a ConstantExpr and -x a UnaryExpr.
struct UnaryExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kUnary;
  UnaryExpr(UnaryOp op, ExprPtr operand, int position)
      : Expr(kKind, position), op(op), operand(std::move(operand)) {}
  std::string ToString() const override;

  UnaryOp op;
  ExprPtr operand;
};

enum class BinaryOp : uint8_t {
  kAnd, kOr,
  kEq, kNe, kLt, kLe, kGt, kGe,
  kIsDistinctFrom, kIsNotDistinctFrom,
  kAdd, kSub, kMul, kDiv, kMod, kPow,
  kConcat,                               // ||
  kRegexMatch, kRegexIMatch,             // ~  ~*
  kNotRegexMatch, kNotRegexIMatch,       // !~ !~*
  kJsonGet, kJsonGetText,                // -> ->>
  kJsonPath, kJsonPathText,              // #> #>>
  kJsonContains, kJsonContainedBy,       // @> <@
  kJsonHasKey, kJsonHasAnyKey, kJsonHasAllKeys,  // ? ?| ?&
};
// The operator as written in SQL: "AND", "=", "<>", "||", "IS DISTINCT FROM".
const char* BinaryOpText(BinaryOp op);

// AND/OR chains of more than 16 operands are built as balanced trees (the
// operators are associative); shorter ones, and all other operators, are
// left-deep as written: a - b - c is ((a - b) - c).
struct BinaryExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kBinary;
  BinaryExpr(BinaryOp op, ExprPtr left, ExprPtr right, int position)
      : Expr(kKind, position), op(op), left(std::move(left)), right(std::move(right)) {}
  std::string ToString() const override;

  BinaryOp op;
  ExprPtr left;
  ExprPtr right;
};

enum class IsTest : uint8_t { kNull, kTrue, kFalse, kUnknown };

// x IS [NOT] NULL (also ISNULL / NOTNULL), IS [NOT] TRUE/FALSE/UNKNOWN.
struct IsExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kIs;
  IsExpr(IsTest test, bool negated, ExprPtr operand, int position)
      : Expr(kKind, position), test(test), negated(negated), operand(std::move(operand)) {}
  std::string ToString() const override;

  IsTest test;
  bool negated;
  ExprPtr operand;
};

struct BetweenExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kBetween;
  explicit BetweenExpr(int position) : Expr(kKind, position) {}
  std::string ToString() const override;

  ExprPtr operand;
  ExprPtr low;
  ExprPtr high;
  bool negated = false;
  bool symmetric = false;
};

struct InListExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kInList;
  explicit InListExpr(int position) : Expr(kKind, position) {}
  std::string ToString() const override;

  ExprPtr operand;
  ExprList list;  // at least one element
  bool negated = false;
};

struct LikeExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kLike;
  explicit LikeExpr(int position) : Expr(kKind, position) {}
  std::string ToString() const override;

  ExprPtr operand;
  ExprPtr pattern;
  ExprPtr escape;  // null when no ESCAPE clause
  bool negated = false;
  bool case_insensitive = false;  // ILIKE
};

enum class SubqueryKind : uint8_t {
  kScalar,  // (SELECT ...)
  kExists,  // EXISTS (SELECT ...)
  kIn,      // operand [NOT] IN (SELECT ...)
  kAny,     // operand op ANY|SOME (SELECT ...)
  kAll,     // operand op ALL (SELECT ...)
  kArray,   // ARRAY(SELECT ...): the one column of its rows, as an array
};

struct SubqueryExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kSubquery;
  SubqueryExpr(SubqueryKind subquery_kind, int position);
  ~SubqueryExpr() override;
  std::string ToString() const override;

  SubqueryKind subquery_kind;
  std::unique_ptr<QueryNode> query;
  ExprPtr operand;                 // kIn, kAny, kAll
  BinaryOp op = BinaryOp::kEq;     // kAny, kAll (kEq for kIn)
  bool negated = false;            // NOT IN
};

enum class FunctionSyntax : uint8_t {
  kCall,     // name(args)
  kKeyword,  // CURRENT_DATE, CURRENT_TIMESTAMP, CURRENT_USER, ... (no parentheses)
  kExtract,  // EXTRACT(field FROM x): name "extract", args {field as a string, x}
};

enum class SortDirection : uint8_t { kDefault, kAsc, kDesc };
enum class NullsOrder : uint8_t { kDefault, kFirst, kLast };

// One key of an ORDER BY: a query's, or an aggregate call's.
struct OrderByItem {
  ExprPtr expr;
  SortDirection direction = SortDirection::kDefault;
  NullsOrder nulls = NullsOrder::kDefault;
  std::string ToString() const;
};

// A window function's OVER (...): partitions, their order, and the frame
// of rows an aggregate sees.
struct WindowFrameBound {
  enum class Kind : uint8_t { kUnboundedPreceding, kPreceding, kCurrentRow, kFollowing,
                              kUnboundedFollowing };
  Kind kind = Kind::kCurrentRow;
  ExprPtr offset;  // kPreceding, kFollowing
  std::string ToString() const;
};
struct WindowSpec {
  ExprList partition_by;
  std::vector<OrderByItem> order_by;
  bool has_frame = false;
  bool rows = false;  // ROWS; else RANGE
  WindowFrameBound start;
  WindowFrameBound end;
  std::string ToString() const;
};

struct FunctionExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kFunction;
  explicit FunctionExpr(int position) : Expr(kKind, position) {}
  std::string ToString() const override;

  std::string schema;  // "pg_catalog" in pg_catalog.now(); usually empty
  std::string name;    // lower-cased unless quoted: "count", "coalesce", "current_date"
  ExprList args;
  // Parallel to args when any is named (f(days => 3)): the name, or ""
  // for a positional one. Empty when all are positional.
  std::vector<std::string> arg_names;
  bool distinct = false;  // count(DISTINCT x)
  bool star = false;      // count(*)
  std::vector<OrderByItem> order_by;  // string_agg(x, ',' ORDER BY y)
  FunctionSyntax syntax = FunctionSyntax::kCall;
  std::unique_ptr<WindowSpec> over;   // OVER (...): a window function
};

enum class CastSyntax : uint8_t {
  kCast,          // CAST(x AS t)
  kDoubleColon,   // x::t
  kTypedLiteral,  // t 'literal'; operand is a kString constant
};

struct CastExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kCast;
  CastExpr(ExprPtr operand, TypeName type, CastSyntax syntax, int position)
      : Expr(kKind, position), operand(std::move(operand)), type(std::move(type)),
        syntax(syntax) {}
  std::string ToString() const override;

  ExprPtr operand;
  TypeName type;
  CastSyntax syntax;
};

struct CaseExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kCase;
  explicit CaseExpr(int position) : Expr(kKind, position) {}
  std::string ToString() const override;

  struct When {
    ExprPtr condition;  // compared with `operand` when there is one
    ExprPtr result;
  };
  ExprPtr operand;      // CASE x WHEN ...; null for CASE WHEN cond ...
  std::vector<When> whens;
  ExprPtr else_result;  // null when there is no ELSE
};

// DEFAULT as a value of an INSERT VALUES row or an UPDATE SET clause. The
// grammar admits it only there; a VALUES query outside INSERT can still
// carry one, which the binder rejects.
struct DefaultExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kDefault;
  explicit DefaultExpr(int position) : Expr(kKind, position) {}
  std::string ToString() const override { return "DEFAULT"; }
};

// ARRAY[a, b, ...]: a one-dimensional array of its elements' common type.
struct ArrayExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kArray;
  explicit ArrayExpr(int position) : Expr(kKind, position) {}
  std::string ToString() const override;

  ExprList elements;  // may be empty (then a cast must give the type)
};

// array[index]: the element at 1-based `index`, NULL outside the array.
struct SubscriptExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kSubscript;
  explicit SubscriptExpr(int position) : Expr(kKind, position) {}
  std::string ToString() const override;

  ExprPtr array;
  ExprPtr index;
};

// operand op ANY|SOME|ALL (array): op applied with each element.
struct ArrayComparisonExpr : Expr {
  static constexpr ExprKind kKind = ExprKind::kArrayComparison;
  explicit ArrayComparisonExpr(int position) : Expr(kKind, position) {}
  std::string ToString() const override;

  ExprPtr operand;
  BinaryOp op = BinaryOp::kEq;
  bool all = false;
  ExprPtr array;
};

}  // namespace cairn::ast
