#pragma once

#include <cassert>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "parser/ast/expr.h"
#include "parser/ast/names.h"
#include "parser/ast/table_ref.h"

namespace cairn::ast {

enum class QueryNodeKind : uint8_t {
  kSelect,        // SelectNode: SELECT ... FROM ...
  kSetOperation,  // SetOperationNode: a UNION b, ...
  kValues,        // ValuesNode: VALUES (..), (..)
};

// SortDirection, NullsOrder and OrderByItem are in expr.h (aggregate
// calls have an ORDER BY too).

struct CommonTableExpr {
  std::string name;
  std::vector<std::string> column_names;
  std::unique_ptr<QueryNode> query;
  int position = 0;
  std::string ToString() const;
};

struct WithClause {
  bool recursive = false;
  std::vector<CommonTableExpr> ctes;
  std::string ToString() const;  // "WITH a AS (...), b AS (...)"
};

enum class LockStrength : uint8_t { kNone, kUpdate, kNoKeyUpdate, kShare, kKeyShare };
enum class LockWaitPolicy : uint8_t { kBlock, kNoWait, kSkipLocked };

// An item of a target list or RETURNING list. `expr` is a StarExpr for *
// and t.*.
struct ResultTarget {
  ExprPtr expr;
  std::string alias;  // empty when none was given
  int position = 0;
  std::string ToString() const;
};

// A query expression. The clauses that PostgreSQL applies to a whole query
// (WITH, ORDER BY, LIMIT, OFFSET, FOR UPDATE) live on the base, so
// `(SELECT ..) UNION (SELECT ..) ORDER BY 1` puts ORDER BY on the set
// operation node and each side may carry its own.
class QueryNode {
 public:
  explicit QueryNode(QueryNodeKind kind) : kind(kind) {}
  virtual ~QueryNode() = default;
  QueryNode(const QueryNode&) = delete;
  QueryNode& operator=(const QueryNode&) = delete;

  // The query as SQL, modifiers included.
  std::string ToString() const;

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

  const QueryNodeKind kind;
  std::unique_ptr<WithClause> with;  // null when no WITH
  std::vector<OrderByItem> order_by;
  ExprPtr limit;   // null: no LIMIT (LIMIT ALL is no LIMIT, as in PostgreSQL)
  ExprPtr offset;  // null: no OFFSET
  LockStrength lock_strength = LockStrength::kNone;  // FOR UPDATE / FOR SHARE
  LockWaitPolicy lock_wait = LockWaitPolicy::kBlock;

  bool has_modifiers() const {
    return with != nullptr || !order_by.empty() || limit != nullptr || offset != nullptr ||
           lock_strength != LockStrength::kNone;
  }

 protected:
  // The query without the modifiers above.
  virtual std::string BodyToString() const = 0;
};

using QueryNodePtr = std::unique_ptr<QueryNode>;

enum class DistinctKind : uint8_t { kNone, kDistinct, kDistinctOn };

struct SelectNode : QueryNode {
  static constexpr QueryNodeKind kKind = QueryNodeKind::kSelect;
  SelectNode() : QueryNode(kKind) {}

  DistinctKind distinct = DistinctKind::kNone;
  ExprList distinct_on;               // DISTINCT ON (...)
  std::vector<ResultTarget> targets;  // may be empty: SELECT FROM t
  std::vector<TableRefPtr> from;      // empty: no FROM
  ExprPtr where;                      // null: no WHERE
  ExprList group_by;
  ExprPtr having;

 protected:
  std::string BodyToString() const override;
};

enum class SetOpType : uint8_t { kUnion, kIntersect, kExcept };

struct SetOperationNode : QueryNode {
  static constexpr QueryNodeKind kKind = QueryNodeKind::kSetOperation;
  SetOperationNode() : QueryNode(kKind) {}

  SetOpType op = SetOpType::kUnion;
  bool all = false;
  QueryNodePtr left;
  QueryNodePtr right;

 protected:
  std::string BodyToString() const override;
};

struct ValuesNode : QueryNode {
  static constexpr QueryNodeKind kKind = QueryNodeKind::kValues;
  ValuesNode() : QueryNode(kKind) {}

  // Rows of equal, non-zero length (checked by the parser: 42601 "VALUES
  // lists must all be the same length"). Items may be DefaultExpr.
  std::vector<ExprList> rows;
  int position = 0;  // of the VALUES keyword

 protected:
  std::string BodyToString() const override;
};

}  // namespace cairn::ast
