#pragma once

#include <cassert>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "parser/ast/expr.h"
#include "parser/ast/names.h"

namespace cairn::ast {

class QueryNode;

enum class TableRefKind : uint8_t {
  kBaseTable,  // BaseTableRef: t [AS] x
  kSubquery,   // SubqueryRef: (SELECT ...) [AS] x
  kJoin,       // JoinRef: a JOIN b ON ..., a CROSS JOIN b
  kFunction,   // FunctionTableRef: generate_series(1, 10) [AS] g(n)
};

// `AS alias (c1, c2)` after a FROM item.
struct TableAlias {
  std::string name;                  // empty: no alias
  std::vector<std::string> columns;  // column aliases; usually empty
  std::string ToString() const;      // " AS x(a, b)" or ""
};

// An item of a FROM clause (also the target of UPDATE/DELETE's USING/FROM).
// A comma-separated FROM list is a vector of these, as in PostgreSQL.
class TableRef {
 public:
  TableRef(TableRefKind kind, int position) : kind(kind), position(position) {}
  virtual ~TableRef() = default;
  TableRef(const TableRef&) = delete;
  TableRef& operator=(const TableRef&) = delete;

  virtual std::string ToString() const = 0;

  template <typename T>
  const T& As() const {
    assert(kind == T::kKind);
    return static_cast<const T&>(*this);
  }

  const TableRefKind kind;
  int position;  // 1-based offset of the first token
  TableAlias alias;
};

using TableRefPtr = std::unique_ptr<TableRef>;

struct BaseTableRef : TableRef {
  static constexpr TableRefKind kKind = TableRefKind::kBaseTable;
  explicit BaseTableRef(int position) : TableRef(kKind, position) {}
  std::string ToString() const override;

  ObjectName name;
};

struct SubqueryRef : TableRef {
  static constexpr TableRefKind kKind = TableRefKind::kSubquery;
  explicit SubqueryRef(int position);
  ~SubqueryRef() override;
  std::string ToString() const override;

  std::unique_ptr<QueryNode> query;
};

// A set-returning function in FROM.
struct FunctionTableRef : TableRef {
  static constexpr TableRefKind kKind = TableRefKind::kFunction;
  explicit FunctionTableRef(int position) : TableRef(kKind, position) {}
  std::string ToString() const override { return function->ToString() + alias.ToString(); }

  std::unique_ptr<FunctionExpr> function;
};

enum class JoinType : uint8_t { kInner, kLeft, kRight, kFull, kCross };

struct JoinRef : TableRef {
  static constexpr TableRefKind kKind = TableRefKind::kJoin;
  explicit JoinRef(int position) : TableRef(kKind, position) {}
  std::string ToString() const override;

  JoinType join_type = JoinType::kInner;
  bool natural = false;
  TableRefPtr left;
  TableRefPtr right;
  ExprPtr condition;                      // ON; null for USING, NATURAL, CROSS
  std::vector<Identifier> using_columns;  // USING (a, b)
};

}  // namespace cairn::ast
