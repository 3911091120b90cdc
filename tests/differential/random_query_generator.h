#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

// Random SQL in the spirit of SQLancer, over a small random schema: every
// statement is one that PostgreSQL 15 and CairnDB must answer alike. Types
// are tracked so that every expression is well typed; values stay small so
// that no integer overflows; no division by anything but non-zero literals,
// so that no error depends on the order rows are evaluated in. Results
// without ORDER BY are compared as multisets; LIMIT only follows an ORDER
// BY of a unique key.
namespace cairn::differential {

class RandomQueryGenerator {
 public:
  explicit RandomQueryGenerator(uint64_t seed) : rng_(seed) {}

  // CREATE TABLE and INSERT statements for the schema: t0, t1 and t2, each
  // (id INT PRIMARY KEY, a INT, b BIGINT, c TEXT, d BOOLEAN, e
  // NUMERIC(6,2)), a few dozen rows with NULLs, and an index on one of them.
  std::vector<std::string> Schema();

  // One SELECT: filters, expressions with NULLs, joins of every kind,
  // aggregates with GROUP BY and HAVING, DISTINCT, set operations,
  // subqueries (IN, EXISTS, scalar), ORDER BY ... LIMIT.
  std::string Query();

 private:
  enum class Type { kInt, kText, kBool };
  struct Column {
    std::string name;  // qualified: "t0.a"
    Type type;
  };

  int Pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
  bool Chance(int percent) { return Pick(100) < percent; }

  std::string Literal(Type type);
  std::string Expr(Type type, const std::vector<Column>& columns, int depth);
  std::string IntExpr(const std::vector<Column>& columns, int depth);
  std::string TextExpr(const std::vector<Column>& columns, int depth);
  std::string BoolExpr(const std::vector<Column>& columns, int depth);
  std::vector<Column> ColumnsOf(const std::string& table, const std::string& alias);

  std::string SimpleSelect();
  std::string JoinSelect();
  std::string AggregateSelect();
  std::string SetOperation();
  std::string SubquerySelect();
  std::string OrderedLimit();
  std::string ThreeWayJoin();
  std::string GroupedJoin();
  std::string WindowSelect();
  std::string NumericSelect();
  std::string WithSelect();
  std::string LookupJoin();

  std::mt19937_64 rng_;
};

}  // namespace cairn::differential
