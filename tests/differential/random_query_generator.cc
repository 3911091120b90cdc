#include "random_query_generator.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace cairn::differential {

std::vector<std::string> RandomQueryGenerator::Schema() {
  std::vector<std::string> out;
  for (int t = 0; t < 3; ++t) {
    const std::string name = absl::StrCat("t", t);
    out.push_back(absl::StrCat("CREATE TABLE ", name,
                               " (id INT PRIMARY KEY, a INT, b BIGINT, c TEXT, d BOOLEAN, "
                               "e NUMERIC(6,2))"));
    const int rows = 5 + Pick(30);
    std::vector<std::string> values;
    for (int id = 1; id <= rows; ++id) {
      const std::string e =
          Chance(15) ? "NULL" : absl::StrCat(Pick(2001) - 1000, ".", Pick(10), Pick(10));
      values.push_back(absl::StrCat("(", id, ", ", Literal(Type::kInt), ", ", Literal(Type::kInt),
                                    ", ", Literal(Type::kText), ", ", Literal(Type::kBool), ", ", e,
                                    ")"));
    }
    out.push_back(absl::StrCat("INSERT INTO ", name, " VALUES ", absl::StrJoin(values, ", ")));
  }
  // Indexes, some storing other columns, give the planner index scans,
  // covering scans and index orders to pick.
  static const char* const kIndexColumns[] = {"a", "b", "c", "a, c", "a DESC, c", "c DESC, b"};
  for (int i = 0; i < 2; ++i) {
    out.push_back(absl::StrCat("CREATE INDEX t", Pick(3), "_idx", i, " ON t", Pick(3), " (",
                               kIndexColumns[Pick(6)], ")", Chance(40) ? " INCLUDE (b, d)" : ""));
  }
  // Statistics, so that the planner's estimates (join sides, lookups) are
  // exercised too.
  out.push_back("ANALYZE");
  return out;
}

std::string RandomQueryGenerator::Literal(Type type) {
  if (Chance(15)) return "NULL";
  switch (type) {
    case Type::kInt:
      return absl::StrCat(Pick(21) - 10);
    case Type::kText: {
      static const char* const kWords[] = {"''",  "'a'",   "'b'",   "'ab'", "'ba'",
                                           "'A'", "'abc'", "'b a'", "'z'"};
      return kWords[Pick(9)];
    }
    case Type::kBool:
      return Chance(50) ? "true" : "false";
  }
  return "NULL";
}

std::vector<RandomQueryGenerator::Column> RandomQueryGenerator::ColumnsOf(
    const std::string& table, const std::string& alias) {
  (void)table;
  return {{alias + ".id", Type::kInt},
          {alias + ".a", Type::kInt},
          {alias + ".b", Type::kInt},
          {alias + ".c", Type::kText},
          {alias + ".d", Type::kBool}};
}

std::string RandomQueryGenerator::Expr(Type type, const std::vector<Column>& columns, int depth) {
  switch (type) {
    case Type::kInt:
      return IntExpr(columns, depth);
    case Type::kText:
      return TextExpr(columns, depth);
    case Type::kBool:
      return BoolExpr(columns, depth);
  }
  return "NULL";
}

std::string RandomQueryGenerator::IntExpr(const std::vector<Column>& columns, int depth) {
  std::vector<const Column*> ints;
  for (const Column& c : columns) {
    if (c.type == Type::kInt) ints.push_back(&c);
  }
  if (depth <= 0 || Chance(40)) {
    if (!ints.empty() && Chance(70)) return ints[Pick(static_cast<int>(ints.size()))]->name;
    const std::string lit = Literal(Type::kInt);
    return lit == "NULL" ? "NULL::int" : lit;
  }
  switch (Pick(9)) {
    case 0:
      return absl::StrCat("(", IntExpr(columns, depth - 1), " + ", IntExpr(columns, depth - 1),
                          ")");
    case 1:
      return absl::StrCat("(", IntExpr(columns, depth - 1), " - ", IntExpr(columns, depth - 1),
                          ")");
    case 2:
      return absl::StrCat("(", IntExpr(columns, depth - 1), " * ", IntExpr(columns, depth - 1),
                          ")");
    case 3:
      return absl::StrCat("(", IntExpr(columns, depth - 1), " % ", 1 + Pick(5), ")");
    case 4:
      return absl::StrCat("abs(", IntExpr(columns, depth - 1), ")");
    case 5:
      return absl::StrCat("CASE WHEN ", BoolExpr(columns, depth - 1), " THEN ",
                          IntExpr(columns, depth - 1), " ELSE ", IntExpr(columns, depth - 1),
                          " END");
    case 6:
      return absl::StrCat("COALESCE(", IntExpr(columns, depth - 1), ", ",
                          IntExpr(columns, depth - 1), ")");
    case 7:
      return absl::StrCat("NULLIF(", IntExpr(columns, depth - 1), ", ", IntExpr(columns, depth - 1),
                          ")");
    default:
      return absl::StrCat("length(", TextExpr(columns, depth - 1), ")");
  }
}

std::string RandomQueryGenerator::TextExpr(const std::vector<Column>& columns, int depth) {
  std::vector<const Column*> texts;
  for (const Column& c : columns) {
    if (c.type == Type::kText) texts.push_back(&c);
  }
  if (depth <= 0 || Chance(45)) {
    if (!texts.empty() && Chance(70)) return texts[Pick(static_cast<int>(texts.size()))]->name;
    const std::string lit = Literal(Type::kText);
    return lit == "NULL" ? "NULL::text" : lit;
  }
  switch (Pick(6)) {
    case 0:
      return absl::StrCat("(", TextExpr(columns, depth - 1), " || ", TextExpr(columns, depth - 1),
                          ")");
    case 1:
      return absl::StrCat("upper(", TextExpr(columns, depth - 1), ")");
    case 2:
      return absl::StrCat("substr(", TextExpr(columns, depth - 1), ", 1, ", 1 + Pick(2), ")");
    case 3:
      return absl::StrCat("COALESCE(", TextExpr(columns, depth - 1), ", ",
                          TextExpr(columns, depth - 1), ")");
    case 4:
      return absl::StrCat("CASE WHEN ", BoolExpr(columns, depth - 1), " THEN ",
                          TextExpr(columns, depth - 1), " ELSE ", TextExpr(columns, depth - 1),
                          " END");
    default:
      return absl::StrCat("replace(", TextExpr(columns, depth - 1), ", 'a', 'x')");
  }
}

std::string RandomQueryGenerator::BoolExpr(const std::vector<Column>& columns, int depth) {
  static const char* const kCompare[] = {"=", "<>", "<", "<=", ">", ">="};
  if (depth <= 0 || Chance(25)) {
    for (const Column& c : columns) {
      if (c.type == Type::kBool && Chance(30)) return c.name;
    }
    const int kind = Pick(3);
    if (kind == 0)
      return absl::StrCat(IntExpr(columns, 0), " ", kCompare[Pick(6)], " ", IntExpr(columns, 0));
    if (kind == 1)
      return absl::StrCat(TextExpr(columns, 0), " ", kCompare[Pick(6)], " ", TextExpr(columns, 0));
    return absl::StrCat(IntExpr(columns, 0), " IS ", Chance(50) ? "" : "NOT ", "NULL");
  }
  switch (Pick(10)) {
    case 0:
      return absl::StrCat("(", BoolExpr(columns, depth - 1), " AND ", BoolExpr(columns, depth - 1),
                          ")");
    case 1:
      return absl::StrCat("(", BoolExpr(columns, depth - 1), " OR ", BoolExpr(columns, depth - 1),
                          ")");
    case 2:
      return absl::StrCat("NOT (", BoolExpr(columns, depth - 1), ")");
    case 3:
      return absl::StrCat(IntExpr(columns, depth - 1), " ", kCompare[Pick(6)], " ",
                          IntExpr(columns, depth - 1));
    case 4:
      return absl::StrCat(TextExpr(columns, depth - 1), " ", kCompare[Pick(6)], " ",
                          TextExpr(columns, depth - 1));
    case 5:
      return absl::StrCat(IntExpr(columns, depth - 1), Chance(30) ? " NOT" : "", " IN (",
                          Literal(Type::kInt), ", ", Literal(Type::kInt), ", ", Pick(5), ")");
    case 6:
      return absl::StrCat(IntExpr(columns, depth - 1), Chance(30) ? " NOT" : "", " BETWEEN ",
                          IntExpr(columns, 0), " AND ", IntExpr(columns, 0));
    case 7: {
      static const char* const kPatterns[] = {"'a%'", "'%b'", "'_'", "'%a_%'", "''"};
      return absl::StrCat(TextExpr(columns, depth - 1), Chance(30) ? " NOT" : "", " LIKE ",
                          kPatterns[Pick(5)]);
    }
    case 8:
      return absl::StrCat("(", BoolExpr(columns, depth - 1), ") IS ", Chance(50) ? "NOT " : "",
                          Chance(50) ? "TRUE" : "UNKNOWN");
    default:
      return absl::StrCat(IntExpr(columns, depth - 1), " IS ", Chance(50) ? "NOT " : "",
                          "DISTINCT FROM ", IntExpr(columns, depth - 1));
  }
}

std::string RandomQueryGenerator::SimpleSelect() {
  const std::string table = absl::StrCat("t", Pick(3));
  std::vector<Column> cols = ColumnsOf(table, table);
  std::vector<std::string> items;
  const int n = 1 + Pick(3);
  for (int i = 0; i < n; ++i) {
    items.push_back(Expr(static_cast<Type>(Pick(3)), cols, 2));
  }
  return absl::StrCat("SELECT ", Chance(20) ? "DISTINCT " : "", absl::StrJoin(items, ", "),
                      " FROM ", table, Chance(80) ? " WHERE " + BoolExpr(cols, 3) : "");
}

std::string RandomQueryGenerator::JoinSelect() {
  const int l = Pick(3), r = Pick(3);
  const std::string left = absl::StrCat("t", l), right = absl::StrCat("t", r);
  std::vector<Column> cols = ColumnsOf(left, "x");
  for (const Column& c : ColumnsOf(right, "y")) cols.push_back(c);
  static const char* const kJoins[] = {"JOIN", "LEFT JOIN", "RIGHT JOIN", "FULL JOIN",
                                       "CROSS JOIN"};
  const int kind = Pick(5);
  std::string on;
  if (kind == 3) {
    // PostgreSQL runs FULL JOIN only on hash- or merge-joinable conditions.
    static const char* const kFullJoinOn[] = {" ON x.a = y.a", " ON x.c = y.c", " ON x.id = y.id"};
    on = kFullJoinOn[Pick(3)];
  } else if (kind != 4) {
    on = Chance(60) ? absl::StrCat(" ON x.", Chance(50) ? "a" : "id", " = y.",
                                   Chance(40)   ? "id"
                                   : Chance(50) ? "b"
                                                : "a",
                                   Chance(40) ? " AND " + BoolExpr(cols, 1) : "")
                    : " ON " + BoolExpr(cols, 2);
  }
  std::vector<std::string> items;
  const int n = 1 + Pick(3);
  for (int i = 0; i < n; ++i) items.push_back(Expr(static_cast<Type>(Pick(3)), cols, 1));
  return absl::StrCat("SELECT ", absl::StrJoin(items, ", "), " FROM ", left, " x ", kJoins[kind],
                      " ", right, " y", on, Chance(60) ? " WHERE " + BoolExpr(cols, 2) : "");
}

std::string RandomQueryGenerator::AggregateSelect() {
  const std::string table = absl::StrCat("t", Pick(3));
  std::vector<Column> cols = ColumnsOf(table, table);
  const std::string group = Chance(50) ? table + ".c" : IntExpr(cols, 1);
  std::vector<std::string> aggregates;
  const int n = 1 + Pick(3);
  for (int i = 0; i < n; ++i) {
    switch (Pick(7)) {
      case 0:
        aggregates.push_back("count(*)");
        break;
      case 1:
        aggregates.push_back("count(" + IntExpr(cols, 1) + ")");
        break;
      case 2:
        aggregates.push_back("sum(" + IntExpr(cols, 1) + ")");
        break;
      case 3:
        aggregates.push_back("min(" + TextExpr(cols, 1) + ")");
        break;
      case 4:
        aggregates.push_back("max(" + IntExpr(cols, 1) + ")");
        break;
      case 5:
        aggregates.push_back("count(DISTINCT " + table + ".c)");
        break;
      default:
        aggregates.push_back("bool_and(" + BoolExpr(cols, 1) + ")");
        break;
    }
  }
  const bool grouped = Chance(75);
  std::string sql = absl::StrCat("SELECT ", grouped ? group + ", " : "",
                                 absl::StrJoin(aggregates, ", "), " FROM ", table);
  if (Chance(50)) absl::StrAppend(&sql, " WHERE ", BoolExpr(cols, 2));
  if (grouped) {
    absl::StrAppend(&sql, " GROUP BY ", group);
    if (Chance(30)) absl::StrAppend(&sql, " HAVING count(*) > ", Pick(3));
  }
  return sql;
}

std::string RandomQueryGenerator::SetOperation() {
  static const char* const kOps[] = {"UNION",         "UNION ALL", "INTERSECT",
                                     "INTERSECT ALL", "EXCEPT",    "EXCEPT ALL"};
  const std::string l = absl::StrCat("t", Pick(3)), r = absl::StrCat("t", Pick(3));
  const Type type = static_cast<Type>(Pick(3));
  return absl::StrCat("SELECT ", Expr(type, ColumnsOf(l, l), 1), " FROM ", l, " WHERE ",
                      BoolExpr(ColumnsOf(l, l), 1), " ", kOps[Pick(6)], " SELECT ",
                      Expr(type, ColumnsOf(r, r), 1), " FROM ", r);
}

std::string RandomQueryGenerator::SubquerySelect() {
  const std::string outer = absl::StrCat("t", Pick(3)), inner = absl::StrCat("t", Pick(3));
  std::vector<Column> oc = ColumnsOf(outer, "o");
  std::vector<Column> ic = ColumnsOf(inner, "i");
  std::vector<Column> both = ic;
  for (const Column& c : oc) both.push_back(c);
  std::string condition;
  switch (Pick(4)) {
    case 0:
      condition = absl::StrCat("o.a ", Chance(30) ? "NOT " : "", "IN (SELECT i.a FROM ", inner,
                               " i WHERE ", BoolExpr(ic, 1), ")");
      break;
    case 1:
      condition = absl::StrCat(Chance(30) ? "NOT " : "", "EXISTS (SELECT 1 FROM ", inner,
                               " i WHERE ", BoolExpr(both, 2), ")");
      break;
    case 2:
      condition =
          absl::StrCat("o.b > (SELECT min(i.b) FROM ", inner, " i WHERE ", BoolExpr(both, 1), ")");
      break;
    default:
      condition = absl::StrCat("o.c = ANY (SELECT i.c FROM ", inner, " i)");
      break;
  }
  return absl::StrCat("SELECT o.id, ", Expr(static_cast<Type>(Pick(3)), oc, 1), " FROM ", outer,
                      " o WHERE ", condition);
}

std::string RandomQueryGenerator::OrderedLimit() {
  const std::string table = absl::StrCat("t", Pick(3));
  std::vector<Column> cols = ColumnsOf(table, table);
  // Ordered by a column with NULLs and ties first, then by the unique id.
  const std::string first =
      Chance(50)
          ? absl::StrCat(table, ".", Chance(50) ? "a" : "c", Chance(50) ? " DESC" : "",
                         Chance(50) ? (Chance(50) ? " NULLS FIRST" : " NULLS LAST") : "", ", ")
          : "";
  return absl::StrCat("SELECT ", table, ".id, ", Expr(static_cast<Type>(Pick(3)), cols, 2),
                      " FROM ", table, Chance(50) ? " WHERE " + BoolExpr(cols, 2) : "",
                      " ORDER BY ", first, table, ".id", Chance(50) ? " DESC" : "", " LIMIT ",
                      1 + Pick(8), Chance(30) ? absl::StrCat(" OFFSET ", Pick(4)) : "");
}

std::string RandomQueryGenerator::ThreeWayJoin() {
  std::vector<Column> cols = ColumnsOf("", "x");
  for (const Column& c : ColumnsOf("", "y")) cols.push_back(c);
  for (const Column& c : ColumnsOf("", "z")) cols.push_back(c);
  static const char* const kJoins[] = {"JOIN", "LEFT JOIN", "JOIN", "RIGHT JOIN"};
  return absl::StrCat("SELECT x.id, y.id, z.id, ", IntExpr(cols, 1), " FROM t", Pick(3), " x ",
                      kJoins[Pick(4)], " t", Pick(3), " y ON x.a = y.a ", kJoins[Pick(4)], " t",
                      Pick(3), " z ON ", Chance(50) ? "y.c = z.c" : "x.b = z.b",
                      Chance(50) ? " WHERE " + BoolExpr(cols, 1) : "");
}

std::string RandomQueryGenerator::GroupedJoin() {
  std::vector<Column> cols = ColumnsOf("", "x");
  for (const Column& c : ColumnsOf("", "y")) cols.push_back(c);
  return absl::StrCat("SELECT x.c, count(*), count(y.id), sum(y.a), max(", IntExpr(cols, 1),
                      ") FROM t", Pick(3), " x ", Chance(50) ? "LEFT " : "", "JOIN t", Pick(3),
                      " y ON x.a = y.a", Chance(50) ? " WHERE " + BoolExpr(cols, 1) : "",
                      " GROUP BY x.c", Chance(30) ? " HAVING count(*) > 1" : "");
}

std::string RandomQueryGenerator::WindowSelect() {
  const std::string t = absl::StrCat("t", Pick(3));
  std::vector<Column> cols = ColumnsOf(t, t);
  static const char* const kFunctions[] = {"row_number()", "rank()",     "dense_rank()",
                                           "count(*)",     "sum(a)",     "min(c)",
                                           "lag(a)",       "lead(c, 2)", "first_value(b)"};
  const bool partitioned = Chance(60);
  // Ordered by the unique id, every function's value is defined.
  return absl::StrCat("SELECT id, ", kFunctions[Pick(9)], " OVER (",
                      partitioned ? "PARTITION BY c " : "", "ORDER BY ", Chance(50) ? "a, " : "",
                      "id", Chance(30) ? " ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING" : "",
                      ") FROM ", t, Chance(50) ? " WHERE " + BoolExpr(cols, 1) : "");
}

std::string RandomQueryGenerator::NumericSelect() {
  const std::string t = absl::StrCat("t", Pick(3));
  static const char* const kItems[] = {
      "e + 1.5", "e * 2",    "e - a",      "round(e)",   "round(e, 1)", "e / 4",  "abs(e)",
      "e::int",  "trunc(e)", "ceil(e)",    "floor(e)",   "e > a",       "sum(e)", "avg(a)",
      "avg(e)",  "min(e)",   "max(e * a)", "sum(a * e)", "count(e)"};
  const int first = Pick(19);
  const bool aggregate = first >= 12;
  std::string second = kItems[Pick(aggregate ? 7 : 12) + (aggregate ? 12 : 0)];
  return absl::StrCat("SELECT ", kItems[first], ", ", second, " FROM ", t,
                      Chance(50) ? " WHERE e IS NOT NULL AND a > " + Literal(Type::kInt) : "");
}

std::string RandomQueryGenerator::WithSelect() {
  const std::string t = absl::StrCat("t", Pick(3));
  std::vector<Column> cols = ColumnsOf(t, t);
  std::vector<Column> w = {{"w.k", Type::kInt}, {"w.s", Type::kText}};
  return absl::StrCat("WITH w AS (SELECT ", IntExpr(cols, 1), " AS k, ", TextExpr(cols, 1),
                      " AS s FROM ", t, " WHERE ", BoolExpr(cols, 1), ") SELECT ",
                      Chance(50) ? "DISTINCT " : "", "w.s, ", IntExpr(w, 1), " FROM w",
                      Chance(50) ? " WHERE " + BoolExpr(w, 1) : "");
}

std::string RandomQueryGenerator::LookupJoin() {
  // A small left side (one row by key, or a few by LIMIT) joined on the
  // right table's primary key: the shape of a lookup join.
  std::vector<Column> cols = ColumnsOf("", "x");
  for (const Column& c : ColumnsOf("", "y")) cols.push_back(c);
  const std::string left = Chance(50) ? absl::StrCat("t", Pick(3), " x")
                                      : absl::StrCat("(SELECT * FROM t", Pick(3),
                                                     " ORDER BY id LIMIT ", 1 + Pick(5), ") x");
  return absl::StrCat("SELECT x.id, y.id, ", Expr(static_cast<Type>(Pick(3)), cols, 1), " FROM ",
                      left, Chance(50) ? " LEFT" : "", " JOIN t", Pick(3), " y ON x.",
                      Chance(50) ? "a" : "id", " = y.id",
                      Chance(40) ? " AND " + BoolExpr(cols, 1) : "",
                      left[0] == 't' ? absl::StrCat(" WHERE x.id = ", 1 + Pick(10)) : "");
}

std::string RandomQueryGenerator::Query() {
  switch (Pick(17)) {
    case 0:
    case 1:
      return SimpleSelect();
    case 2:
    case 3:
      return JoinSelect();
    case 4:
    case 5:
      return AggregateSelect();
    case 6:
      return SetOperation();
    case 7:
    case 8:
      return SubquerySelect();
    case 9:
      return ThreeWayJoin();
    case 10:
      return GroupedJoin();
    case 11:
      return WindowSelect();
    case 12:
      return NumericSelect();
    case 13:
      return WithSelect();
    case 14:
      return LookupJoin();
    default:
      return OrderedLimit();
  }
}

}  // namespace cairn::differential
