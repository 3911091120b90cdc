// What the tests of plan fragments share (scan_fragment_test,
// row_format_test, expression_codec_test, accumulator_partial_test): values
// compared field by field, and bound expressions built by hand.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "catalog/row_codec.h"
#include "common/error_code.h"
#include "common/interval.h"
#include "common/value_text.h"
#include "executor/expression_codec.h"
#include "executor/expression_evaluator.h"
#include "executor/operators/accumulator.h"
#include "executor/row_format.h"
#include "executor/scan_fragment.h"
#include "planner/functions.h"
#include "proto/fragment.pb.h"
#include "test_seed.h"

namespace cairn::executor::fragment_test {

using cairn::testing::SeedTrace;
using cairn::testing::TestSeed;
using planner::BoundExpr;
using planner::BoundExprKind;
using planner::BoundExprPtr;

// ---------------------------------------------------------------------------
// Helpers

inline Value Parse(std::string_view text, const SqlType& type) {
  absl::StatusOr<Value> v = ParseValue(text, type);
  EXPECT_TRUE(v.ok()) << text << ": " << v.status();
  return v.ok() ? *v : Value();
}

inline Value Num(std::string_view text) { return Parse(text, SqlType::Of(TypeId::kNumeric)); }

// Why two values differ (type, NULL-ness, element type, datum), or "".
inline std::string Difference(const Value& a, const Value& b) {
  if (a.type() != b.type()) {
    return "type " + std::to_string(static_cast<int>(a.type())) + " vs " +
           std::to_string(static_cast<int>(b.type()));
  }
  if (a.is_null() != b.is_null()) return "NULL-ness";
  if (!(a.sql_type() == b.sql_type())) return "element type";
  if (a.is_null()) return "";
  if (FormatValue(a) != FormatValue(b)) return FormatValue(a) + " vs " + FormatValue(b);
  switch (a.type()) {
    case TypeId::kText:
    case TypeId::kVarchar:
    case TypeId::kChar:
    case TypeId::kBytea:
    case TypeId::kUuid:
    case TypeId::kJson:
    case TypeId::kJsonb:
      if (a.str_value() != b.str_value()) return "bytes";
      break;
    case TypeId::kFloat32:
    case TypeId::kFloat64:
      if (!(std::isnan(a.float_value()) && std::isnan(b.float_value())) &&
          a.float_value() != b.float_value()) {
        return "float bits";
      }
      break;
    case TypeId::kArray: {
      const auto& ea = a.array_value().elements;
      const auto& eb = b.array_value().elements;
      if (ea.size() != eb.size()) return "array length";
      for (size_t i = 0; i < ea.size(); ++i) {
        std::string d = Difference(ea[i], eb[i]);
        if (!d.empty()) return "element " + std::to_string(i) + ": " + d;
      }
      break;
    }
    default:
      break;
  }
  return "";
}

inline std::string RowText(const Row& row) {
  std::string out = "(";
  for (size_t i = 0; i < row.size(); ++i) {
    if (i > 0) out += ", ";
    out += row[i].is_null() ? "NULL" : FormatValue(row[i]);
  }
  return out + ")";
}

inline void ExpectSameRow(const Row& expected, const Row& actual) {
  ASSERT_EQ(expected.size(), actual.size()) << RowText(expected) << " vs " << RowText(actual);
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(Difference(expected[i], actual[i]), "")
        << "value " << i << " of " << RowText(expected);
  }
}

// ---------------------------------------------------------------------------
// expression_codec

// Input rows of (a INT, b TEXT, c NUMERIC, d BOOL).
inline const SqlType kInt = SqlType::Of(TypeId::kInt32);
inline const SqlType kText = SqlType::Of(TypeId::kText);
inline const SqlType kNumeric = SqlType::Of(TypeId::kNumeric);
inline const SqlType kBool = SqlType::Of(TypeId::kBool);

inline BoundExprPtr Col(int i) {
  static const SqlType types[] = {kInt, kText, kNumeric, kBool};
  static const char* names[] = {"a", "b", "c", "d"};
  return BoundExpr::Column(i, types[i], names[i]);
}
inline BoundExprPtr IntConst(int64_t v) { return BoundExpr::Constant(Value::Int32(v), kInt); }
inline BoundExprPtr TextConst(std::string v) { return BoundExpr::Constant(Value::Text(v), kText); }

inline BoundExprPtr Node(BoundExprKind kind, SqlType type, std::vector<BoundExprPtr> children) {
  auto e = std::make_unique<BoundExpr>();
  e->kind = kind;
  e->type = type;
  e->children = std::move(children);
  return e;
}
template <typename... C>
inline std::vector<BoundExprPtr> Children(C... c) {
  std::vector<BoundExprPtr> out;
  (out.push_back(std::move(c)), ...);
  return out;
}
inline BoundExprPtr Arith(planner::ArithOp op, BoundExprPtr l, BoundExprPtr r,
                          SqlType type = kInt) {
  BoundExprPtr e = Node(BoundExprKind::kArith, type, Children(std::move(l), std::move(r)));
  e->arith_op = op;
  return e;
}
inline BoundExprPtr Compare(planner::CompareOp op, BoundExprPtr l, BoundExprPtr r) {
  BoundExprPtr e = Node(BoundExprKind::kCompare, kBool, Children(std::move(l), std::move(r)));
  e->compare_op = op;
  return e;
}
inline BoundExprPtr Function(std::string name, SqlType type, std::vector<BoundExprPtr> args) {
  BoundExprPtr e = Node(BoundExprKind::kFunction, type, std::move(args));
  e->name = std::move(name);
  return e;
}

// What evaluating gave: the value as text, "NULL", or the error code.
inline std::string Outcome(const absl::StatusOr<Value>& v) {
  if (!v.ok()) return "error " + std::to_string(static_cast<int>(GetErrorCode(v.status())));
  return v->is_null() ? "NULL" : FormatValue(*v);
}

}  // namespace cairn::executor::fragment_test
