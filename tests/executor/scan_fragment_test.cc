// Plan fragments evaluated at range leaseholders (executor/scan_fragment.h),
// piece by piece: rows as bytes (row_format), bound expressions as protos
// (expression_codec), the partial states of mergeable aggregates
// (Accumulator::PartialState/AddPartial), and a fragment's run over encoded
// table rows and index entries, read back as the gateway reads it.

#include "executor/scan_fragment.h"

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
#include "planner/functions.h"
#include "proto/fragment.pb.h"
#include "test_seed.h"

namespace cairn::executor {
namespace {

using cairn::testing::SeedTrace;
using cairn::testing::TestSeed;
using planner::BoundExpr;
using planner::BoundExprKind;
using planner::BoundExprPtr;

// ---------------------------------------------------------------------------
// Helpers

Value Parse(std::string_view text, const SqlType& type) {
  absl::StatusOr<Value> v = ParseValue(text, type);
  EXPECT_TRUE(v.ok()) << text << ": " << v.status();
  return v.ok() ? *v : Value();
}

Value Num(std::string_view text) { return Parse(text, SqlType::Of(TypeId::kNumeric)); }

// Why two values differ (type, NULL-ness, element type, datum), or "".
std::string Difference(const Value& a, const Value& b) {
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

std::string RowText(const Row& row) {
  std::string out = "(";
  for (size_t i = 0; i < row.size(); ++i) {
    if (i > 0) out += ", ";
    out += row[i].is_null() ? "NULL" : FormatValue(row[i]);
  }
  return out + ")";
}

void ExpectSameRow(const Row& expected, const Row& actual) {
  ASSERT_EQ(expected.size(), actual.size()) << RowText(expected) << " vs " << RowText(actual);
  for (size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(Difference(expected[i], actual[i]), "")
        << "value " << i << " of " << RowText(expected);
  }
}

// ---------------------------------------------------------------------------
// row_format

// One value of every TypeId (and NULLs of each, arrays of several element
// types, NULL arrays keeping their element type).
Row EveryKindOfValue() {
  Row row;
  for (TypeId t :
       {TypeId::kUnknown, TypeId::kBool, TypeId::kInt16, TypeId::kInt32, TypeId::kInt64,
        TypeId::kFloat32, TypeId::kFloat64, TypeId::kNumeric, TypeId::kText, TypeId::kVarchar,
        TypeId::kChar, TypeId::kBytea, TypeId::kDate, TypeId::kTimestamp, TypeId::kTimestampTz,
        TypeId::kUuid, TypeId::kJson, TypeId::kJsonb, TypeId::kInterval}) {
    row.push_back(Value::Null(t));
  }
  row.push_back(Value::NullArray(TypeId::kInt32));
  row.push_back(Value::NullArray(TypeId::kText));
  row.push_back(Value::NullArray(TypeId::kNumeric));
  row.push_back(Value::Bool(true));
  row.push_back(Value::Bool(false));
  row.push_back(Value::Int(TypeId::kInt16, -32768));
  row.push_back(Value::Int(TypeId::kInt32, 2147483647));
  row.push_back(Value::Int64(INT64_MIN));
  row.push_back(Value::Int64(0));
  row.push_back(Value::Float(TypeId::kFloat32, 1.5));
  row.push_back(Value::Float64(-0.1));
  row.push_back(Value::Float64(1e308));
  row.push_back(Value::Float64(std::numeric_limits<double>::infinity()));
  row.push_back(Value::Float64(std::nan("")));
  row.push_back(Num("12345678901234567890.1234567890"));
  row.push_back(Num("-0.00100"));
  row.push_back(Num("0"));
  row.push_back(Value::Text(""));
  row.push_back(Value::Text(std::string("nul\0inside", 10)));
  row.push_back(Value::Text("snowman \xe2\x98\x83, \"quoted\" {braced}"));
  row.push_back(Value::String(TypeId::kVarchar, "varchar"));
  row.push_back(Value::String(TypeId::kChar, "c   "));
  row.push_back(Value::Bytea(std::string("\x00\xff\x01\\x", 5)));
  row.push_back(Parse("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", SqlType::Of(TypeId::kUuid)));
  row.push_back(Parse(R"({"b": [1, 2.5, null], "a" : "x"})", SqlType::Of(TypeId::kJson)));
  row.push_back(Parse(R"({"b": [1, 2.5, null], "a" : "x"})", SqlType::Of(TypeId::kJsonb)));
  row.push_back(Value::Date(-1));
  row.push_back(Parse("2024-02-29", SqlType::Of(TypeId::kDate)));
  row.push_back(Value::Timestamp(TypeId::kTimestamp, 1700000000123456));
  row.push_back(Value::Timestamp(TypeId::kTimestampTz, -86400000001));
  row.push_back(Value::FromInterval(Interval{14, -3, 3723000004}));
  row.push_back(Value::FromInterval(Interval{}));
  row.push_back(Value::Array(TypeId::kInt32,
                             {Value::Int32(1), Value::Null(TypeId::kInt32), Value::Int32(-3)}));
  row.push_back(Value::Array(TypeId::kInt64, {}));
  row.push_back(
      Value::Array(TypeId::kText, {Value::Text("a,b"), Value::Text(""), Value::Text("NULL"),
                                   Value::Null(TypeId::kText), Value::Text("q\"uote\\ {x}")}));
  row.push_back(Value::Array(TypeId::kNumeric, {Num("1.50"), Num("-2")}));
  row.push_back(Value::Array(TypeId::kFloat64, {Value::Float64(0.25), Value::Float64(-1e-5)}));
  row.push_back(Value::Array(TypeId::kBool, {Value::Bool(true), Value::Null(TypeId::kBool)}));
  row.push_back(Value::Array(TypeId::kDate, {Value::Date(19000)}));
  row.push_back(
      Value::Array(TypeId::kTimestampTz, {Value::Timestamp(TypeId::kTimestampTz, 1234567)}));
  return row;
}

TEST(RowFormatTest, EveryTypeRoundTrips) {
  const Row row = EveryKindOfValue();
  std::string bytes;
  AppendRow(row, &bytes);
  std::string_view in = bytes;
  Row back;
  ASSERT_TRUE(ReadRow(&in, &back).ok());
  EXPECT_TRUE(in.empty()) << in.size() << " bytes left";
  ExpectSameRow(row, back);
}

// Each value alone too: a failure names the value.
TEST(RowFormatTest, EachValueRoundTripsAlone) {
  for (const Value& v : EveryKindOfValue()) {
    std::string bytes;
    AppendRow(Row{v}, &bytes);
    std::string_view in = bytes;
    Row back;
    absl::Status s = ReadRow(&in, &back);
    ASSERT_TRUE(s.ok()) << (v.is_null() ? "NULL" : FormatValue(v)) << ": " << s;
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(Difference(v, back[0]), "") << (v.is_null() ? "NULL" : FormatValue(v));
    EXPECT_TRUE(in.empty());
  }
}

TEST(RowFormatTest, ConcatenatedRowsReadBackInOrder) {
  const std::vector<Row> rows = {
      Row{},
      Row{Value::Int32(1), Value::Text("one"), Value::Null(TypeId::kNumeric)},
      EveryKindOfValue(),
      Row{Value::NullArray(TypeId::kDate)},
      Row{Value::Bool(false), Num("3.14159")},
  };
  std::string bytes;
  for (const Row& r : rows) AppendRow(r, &bytes);
  std::string_view in = bytes;
  for (const Row& expected : rows) {
    Row back{Value::Text("stale")};  // ReadRow replaces what the row held
    ASSERT_TRUE(ReadRow(&in, &back).ok());
    ExpectSameRow(expected, back);
  }
  EXPECT_TRUE(in.empty());
}

// Every proper prefix of a row is an error (kDataCorrupted), never a crash
// or a shorter row.
TEST(RowFormatTest, TruncatedRowIsAnError) {
  std::string bytes;
  AppendRow(EveryKindOfValue(), &bytes);
  for (size_t n = 0; n < bytes.size(); ++n) {
    std::string_view in(bytes.data(), n);
    Row back;
    absl::Status s = ReadRow(&in, &back);
    ASSERT_FALSE(s.ok()) << "prefix of " << n << " of " << bytes.size() << " bytes";
    EXPECT_EQ(GetErrorCode(s), ErrorCode::kDataCorrupted) << s;
  }
}

// A row count the bytes cannot hold (a corrupted header) is an error too,
// not an attempt to make room for four billion values first.
TEST(RowFormatTest, CorruptedRowCountIsAnError) {
  std::string bytes;
  AppendRow(Row{Value::Int32(5)}, &bytes);
  bytes[0] = bytes[1] = bytes[2] = bytes[3] = '\xff';
  std::string_view in = bytes;
  Row back;
  absl::Status s;
  try {
    s = ReadRow(&in, &back);
  } catch (const std::exception& e) {
    FAIL() << "ReadRow threw " << e.what();
  }
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(GetErrorCode(s), ErrorCode::kDataCorrupted) << s;
}

// A value header naming a shape that does not exist is an error.
TEST(RowFormatTest, UnknownShapeIsAnError) {
  std::string bytes;
  AppendRow(Row{Value::Int32(5)}, &bytes);
  bytes[5] = 42;  // after the 4-byte count and the type byte: the shape
  std::string_view in = bytes;
  Row back;
  absl::Status s = ReadRow(&in, &back);
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(GetErrorCode(s), ErrorCode::kDataCorrupted) << s;
}

// ---------------------------------------------------------------------------
// expression_codec

// Input rows of (a INT, b TEXT, c NUMERIC, d BOOL).
const SqlType kInt = SqlType::Of(TypeId::kInt32);
const SqlType kText = SqlType::Of(TypeId::kText);
const SqlType kNumeric = SqlType::Of(TypeId::kNumeric);
const SqlType kBool = SqlType::Of(TypeId::kBool);

BoundExprPtr Col(int i) {
  static const SqlType types[] = {kInt, kText, kNumeric, kBool};
  static const char* names[] = {"a", "b", "c", "d"};
  return BoundExpr::Column(i, types[i], names[i]);
}
BoundExprPtr IntConst(int64_t v) { return BoundExpr::Constant(Value::Int32(v), kInt); }
BoundExprPtr TextConst(std::string v) { return BoundExpr::Constant(Value::Text(v), kText); }

BoundExprPtr Node(BoundExprKind kind, SqlType type, std::vector<BoundExprPtr> children) {
  auto e = std::make_unique<BoundExpr>();
  e->kind = kind;
  e->type = type;
  e->children = std::move(children);
  return e;
}
template <typename... C>
std::vector<BoundExprPtr> Children(C... c) {
  std::vector<BoundExprPtr> out;
  (out.push_back(std::move(c)), ...);
  return out;
}
BoundExprPtr Arith(planner::ArithOp op, BoundExprPtr l, BoundExprPtr r, SqlType type = kInt) {
  BoundExprPtr e = Node(BoundExprKind::kArith, type, Children(std::move(l), std::move(r)));
  e->arith_op = op;
  return e;
}
BoundExprPtr Compare(planner::CompareOp op, BoundExprPtr l, BoundExprPtr r) {
  BoundExprPtr e = Node(BoundExprKind::kCompare, kBool, Children(std::move(l), std::move(r)));
  e->compare_op = op;
  return e;
}
BoundExprPtr Function(std::string name, SqlType type, std::vector<BoundExprPtr> args) {
  BoundExprPtr e = Node(BoundExprKind::kFunction, type, std::move(args));
  e->name = std::move(name);
  return e;
}

// Shipped expressions: a filter with arithmetic, a function and LIKE; a
// CASE; coalesce in an IN list; NOT with IS NULL; a cast and a
// concatenation; a comparison with ANY of an array; numeric abs.
std::vector<BoundExprPtr> SampleExpressions() {
  using planner::ArithOp;
  using planner::CompareOp;
  std::vector<BoundExprPtr> out;

  BoundExprPtr like = Node(BoundExprKind::kLike, kBool,
                           Children(Function("lower", kText, Children(Col(1))), TextConst("ab%")));
  like->position = 17;
  out.push_back(Node(
      BoundExprKind::kAnd, kBool,
      Children(Compare(CompareOp::kGt,
                       Arith(ArithOp::kAdd, Arith(ArithOp::kMul, Col(0), IntConst(2)), IntConst(1)),
                       IntConst(10)),
               std::move(like))));

  BoundExprPtr is_null = Node(BoundExprKind::kIsNull, kBool, Children(Col(0)));
  BoundExprPtr kase =
      Node(BoundExprKind::kCase, kText,
           Children(std::move(is_null), TextConst("none"),
                    Compare(CompareOp::kEq, Arith(ArithOp::kMod, Col(0), IntConst(2)), IntConst(0)),
                    TextConst("even"), TextConst("odd")));
  kase->has_else = true;
  out.push_back(std::move(kase));

  BoundExprPtr in = Node(BoundExprKind::kInList, kBool,
                         Children(Function("coalesce", kInt, Children(Col(0), IntConst(-1))),
                                  IntConst(1), IntConst(-1), IntConst(7)));
  in->negated = true;
  out.push_back(std::move(in));

  BoundExprPtr not_null = Node(BoundExprKind::kIsNull, kBool, Children(Col(3)));
  not_null->negated = true;
  out.push_back(
      Node(BoundExprKind::kOr, kBool,
           Children(Node(BoundExprKind::kNot, kBool, Children(Col(3))), std::move(not_null))));

  BoundExprPtr cast = Node(BoundExprKind::kCast, kText, Children(Col(0)));
  cast->explicit_cast = true;
  out.push_back(Node(BoundExprKind::kConcat, kText, Children(std::move(cast), TextConst("-x"))));

  BoundExprPtr any = Node(
      BoundExprKind::kArrayCompare, kBool,
      Children(Col(0), Node(BoundExprKind::kArray, SqlType::ArrayOf(TypeId::kInt32),
                            Children(IntConst(3),
                                     BoundExpr::Constant(Value::Null(TypeId::kInt32), kInt)))));
  any->compare_op = CompareOp::kLe;
  out.push_back(std::move(any));

  out.push_back(Function("abs", kNumeric,
                         Children(Arith(ArithOp::kSub, Col(2),
                                        BoundExpr::Constant(Num("100.25"), kNumeric), kNumeric))));
  return out;
}

std::vector<Row> SampleRows() {
  return {
      Row{Value::Int32(5), Value::Text("ABcd"), Num("3.5"), Value::Bool(true)},
      Row{Value::Int32(2), Value::Text("xyz"), Num("-200"), Value::Bool(false)},
      Row{Value::Null(TypeId::kInt32), Value::Null(TypeId::kText), Value::Null(TypeId::kNumeric),
          Value::Null(TypeId::kBool)},
      Row{Value::Int32(7), Value::Text("ab"), Num("100.25"), Value::Bool(false)},
      Row{Value::Int32(-1), Value::Text("AB"), Num("0.001"), Value::Null(TypeId::kBool)},
  };
}

// What an evaluation gives: its value or its error code.
std::string Outcome(const absl::StatusOr<Value>& v) {
  if (!v.ok()) return "error " + std::to_string(static_cast<int>(GetErrorCode(v.status())));
  return v->is_null() ? "NULL" : FormatValue(*v);
}

TEST(ExpressionCodecTest, ExpressionsRoundTripAndEvaluateAlike) {
  ExecContext ctx;
  for (const BoundExprPtr& e : SampleExpressions()) {
    SCOPED_TRACE(e->ToString());
    absl::StatusOr<proto::ExprProto> p = ExprToProto(*e, &ctx);
    ASSERT_TRUE(p.ok()) << p.status();
    // Through bytes, as the fragment travels.
    proto::ExprProto wire;
    ASSERT_TRUE(wire.ParseFromString(p->SerializeAsString()));
    absl::StatusOr<BoundExprPtr> back = ExprFromProto(wire);
    ASSERT_TRUE(back.ok()) << back.status();
    EXPECT_EQ((*back)->ToString(), e->ToString());
    EXPECT_EQ((*back)->type, e->type);
    EXPECT_EQ((*back)->position, e->position);
    for (const Row& row : SampleRows()) {
      ExecContext a, b;
      EXPECT_EQ(Outcome(Evaluate(**back, row, &a)), Outcome(Evaluate(*e, row, &b))) << RowText(row);
    }
  }
}

// An error raised in a shipped expression keeps its code (22012 at the
// pgwire edge).
TEST(ExpressionCodecTest, ShippedDivisionByZeroKeepsItsCode) {
  BoundExprPtr div = Arith(planner::ArithOp::kDiv, Col(0), IntConst(0));
  ExecContext ctx;
  absl::StatusOr<proto::ExprProto> p = ExprToProto(*div, &ctx);
  ASSERT_TRUE(p.ok()) << p.status();
  absl::StatusOr<BoundExprPtr> back = ExprFromProto(*p);
  ASSERT_TRUE(back.ok()) << back.status();
  absl::StatusOr<Value> v = Evaluate(**back, SampleRows()[0], &ctx);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(GetErrorCode(v.status()), ErrorCode::kDivisionByZero) << v.status();
}

// Parameters travel as their values: the leaseholder has no parameters.
TEST(ExpressionCodecTest, ParametersAreSentAsTheirValues) {
  auto param = [](int index, SqlType type) {
    auto e = std::make_unique<BoundExpr>();
    e->kind = BoundExprKind::kParameter;
    e->parameter_index = index;
    e->type = type;
    return e;
  };
  BoundExprPtr e =
      Node(BoundExprKind::kAnd, kBool,
           Children(Compare(planner::CompareOp::kGe, Col(0), param(0, kInt)),
                    Node(BoundExprKind::kLike, kBool, Children(Col(1), param(1, kText)))));
  ExecContext ctx;
  ctx.params = {Value::Int32(3), Value::Text("a%")};
  absl::StatusOr<proto::ExprProto> p = ExprToProto(*e, &ctx);
  ASSERT_TRUE(p.ok()) << p.status();
  const proto::ExprProto& ge = p->children(0);
  EXPECT_EQ(ge.children(1).kind(), static_cast<uint32_t>(BoundExprKind::kConstant));
  EXPECT_EQ(p->children(1).children(1).kind(), static_cast<uint32_t>(BoundExprKind::kConstant));

  absl::StatusOr<BoundExprPtr> back = ExprFromProto(*p);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ((*back)->ToString(), "((a >= 3) AND (b LIKE 'a%'))");
  const BoundExpr& three = *(*back)->children[0]->children[1];
  EXPECT_EQ(three.kind, BoundExprKind::kConstant);
  EXPECT_EQ(Difference(three.value, Value::Int32(3)), "");
  // Evaluated without the parameters, as at a leaseholder.
  ExecContext leaseholder;
  for (const Row& row : SampleRows()) {
    EXPECT_EQ(Outcome(Evaluate(**back, row, &leaseholder)), Outcome(Evaluate(*e, row, &ctx)))
        << RowText(row);
  }

  // A NULL parameter is a NULL constant.
  ctx.params = {Value::Null(TypeId::kInt32), Value::Text("a%")};
  p = ExprToProto(*e, &ctx);
  ASSERT_TRUE(p.ok()) << p.status();
  back = ExprFromProto(*p);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_TRUE((*back)->children[0]->children[1]->value.is_null());
  EXPECT_EQ(Outcome(Evaluate(**back, SampleRows()[3], &leaseholder)), "NULL");  // 7, 'ab'
  EXPECT_EQ(Outcome(Evaluate(**back, SampleRows()[0], &leaseholder)), "f");     // 5, 'ABcd'
  for (const Row& row : SampleRows()) {
    EXPECT_EQ(Outcome(Evaluate(**back, row, &leaseholder)), Outcome(Evaluate(*e, row, &ctx)))
        << RowText(row);
  }

  // A parameter without a value is an error, not a constant made up.
  ExecContext no_params;
  EXPECT_FALSE(ExprToProto(*e, &no_params).ok());
}

TEST(ExpressionCodecTest, SubqueriesAndOuterColumnsAreRefused) {
  ExecContext ctx;
  auto subquery = std::make_unique<BoundExpr>();
  subquery->kind = BoundExprKind::kSubquery;
  subquery->subquery_kind = planner::SubqueryKind::kExists;
  subquery->type = kBool;
  EXPECT_FALSE(ExprToProto(*subquery, &ctx).ok());
  // Deep inside another expression too.
  BoundExprPtr nested =
      Node(BoundExprKind::kAnd, kBool,
           Children(Compare(planner::CompareOp::kEq, Col(0), IntConst(1)), std::move(subquery)));
  absl::StatusOr<proto::ExprProto> p = ExprToProto(*nested, &ctx);
  EXPECT_FALSE(p.ok());

  auto outer = std::make_unique<BoundExpr>();
  outer->kind = BoundExprKind::kOuterColumn;
  outer->outer_depth = 1;
  outer->column_index = 0;
  outer->type = kInt;
  EXPECT_FALSE(ExprToProto(*outer, &ctx).ok());

  // Nor does a leaseholder accept them (or parameters, or unknown kinds).
  for (BoundExprKind kind :
       {BoundExprKind::kSubquery, BoundExprKind::kOuterColumn, BoundExprKind::kParameter}) {
    proto::ExprProto bad;
    bad.set_kind(static_cast<uint32_t>(kind));
    EXPECT_FALSE(ExprFromProto(bad).ok()) << static_cast<int>(kind);
  }
  proto::ExprProto unknown;
  unknown.set_kind(200);
  EXPECT_FALSE(ExprFromProto(unknown).ok());
}

// ---------------------------------------------------------------------------
// Accumulator partial states

planner::AggregateCall Call(const std::string& function, TypeId arg) {
  planner::AggregateCall call;
  call.function = function;
  if (arg != TypeId::kUnknown) call.arg = BoundExpr::Column(0, SqlType::Of(arg), "x");
  absl::StatusOr<SqlType> type = planner::AggregateResultType(
      function, arg == TypeId::kUnknown ? SqlType::Of(TypeId::kInt64) : SqlType::Of(arg), 0);
  EXPECT_TRUE(type.ok()) << function << ": " << type.status();
  if (type.ok()) call.type = *type;
  return call;
}

// A random value of `type`, NULL one time in five. Floats are multiples of
// 1/8 and small: sums are exact whatever the order.
Value RandomValue(TypeId type, std::mt19937_64& rng) {
  if (rng() % 5 == 0) return Value::Null(type);
  auto between = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  switch (type) {
    case TypeId::kBool:
      return Value::Bool(rng() % 4 != 0);  // bool_and is false only sometimes
    case TypeId::kInt32:
      return Value::Int32(between(INT32_MIN, INT32_MAX));
    case TypeId::kInt64:
      return Value::Int64(between(-(int64_t{1} << 60), int64_t{1} << 60));
    case TypeId::kNumeric: {
      const int64_t units = between(-1000000000, 1000000000);
      const int scale = static_cast<int>(between(0, 4));
      std::string digits = std::to_string(std::llabs(units));
      while (digits.size() <= static_cast<size_t>(scale)) digits = "0" + digits;
      if (scale > 0) digits.insert(digits.size() - scale, ".");
      return Num((units < 0 ? "-" : "") + digits);
    }
    case TypeId::kFloat64:
      return Value::Float64(static_cast<double>(between(-8000000, 8000000)) / 8);
    case TypeId::kInterval:
      return Value::FromInterval(Interval{static_cast<int32_t>(between(-100, 100)),
                                          static_cast<int32_t>(between(-1000, 1000)),
                                          between(-86400000000LL * 3, 86400000000LL * 3)});
    default:
      ADD_FAILURE() << "no random values of type " << static_cast<int>(type);
      return Value::Null(type);
  }
}

// Whatever way the values are cut into parts (ranges), aggregating each
// part, sending its state and count through row_format, and merging them
// gives what aggregating all the values at once gives.
TEST(AccumulatorPartialTest, MergedPartialStatesEqualOneStepAggregation) {
  const uint64_t seed = TestSeed(20261206);
  SCOPED_TRACE(SeedTrace(seed));
  std::mt19937_64 rng(seed);

  struct Case {
    std::string function;
    TypeId arg;  // kUnknown: count(*)
  };
  std::vector<Case> cases = {{"count", TypeId::kUnknown}};
  for (TypeId t :
       {TypeId::kInt32, TypeId::kInt64, TypeId::kNumeric, TypeId::kFloat64, TypeId::kInterval}) {
    for (const char* f : {"count", "sum", "avg", "min", "max"}) cases.push_back({f, t});
  }
  for (const char* f : {"count", "bool_and", "bool_or", "every", "min", "max"}) {
    cases.push_back({f, TypeId::kBool});
  }

  for (int round = 0; round < 60; ++round) {
    for (const Case& c : cases) {
      SCOPED_TRACE("round " + std::to_string(round) + ": " + c.function + "(" +
                   (c.arg == TypeId::kUnknown ? "*" : TypeName(SqlType::Of(c.arg))) + ")");
      const planner::AggregateCall call = Call(c.function, c.arg);
      // Few values (often none, or all NULL) as well as many.
      const size_t n = round % 4 == 0 ? rng() % 3 : rng() % 200;
      std::vector<Value> values;
      for (size_t i = 0; i < n; ++i) {
        values.push_back(c.arg == TypeId::kUnknown ? Value::Int64(1) : RandomValue(c.arg, rng));
      }
      Accumulator whole(call);
      for (const Value& v : values) ASSERT_TRUE(whole.Add(v).ok());
      absl::StatusOr<Value> expected = whole.Result();
      ASSERT_TRUE(expected.ok()) << expected.status();

      // Parts: contiguous pieces, some empty, in a random order.
      const size_t parts = 1 + rng() % 6;
      std::vector<size_t> cuts = {0, values.size()};
      for (size_t i = 1; i < parts; ++i) cuts.push_back(values.empty() ? 0 : rng() % (n + 1));
      std::sort(cuts.begin(), cuts.end());
      std::vector<std::string> sent;  // each part's (state, count), as bytes
      for (size_t p = 0; p + 1 < cuts.size(); ++p) {
        Accumulator part(call);
        for (size_t i = cuts[p]; i < cuts[p + 1]; ++i) ASSERT_TRUE(part.Add(values[i]).ok());
        std::string bytes;
        AppendRow(Row{part.PartialState(), Value::Int64(part.count())}, &bytes);
        sent.push_back(std::move(bytes));
      }
      std::shuffle(sent.begin(), sent.end(), rng);
      Accumulator merged(call);
      for (const std::string& bytes : sent) {
        std::string_view in = bytes;
        Row row;
        ASSERT_TRUE(ReadRow(&in, &row).ok());
        ASSERT_EQ(row.size(), 2u);
        absl::Status s = merged.AddPartial(row[0], row[1].int_value());
        ASSERT_TRUE(s.ok()) << s;
      }
      absl::StatusOr<Value> actual = merged.Result();
      ASSERT_TRUE(actual.ok()) << actual.status();
      ASSERT_EQ(Difference(*expected, *actual), "")
          << "expected " << Outcome(expected) << ", merged " << Outcome(actual) << " over "
          << values.size() << " values in " << sent.size() << " parts";
    }
  }
}

// ---------------------------------------------------------------------------
// A scan fragment's run

// t (id BIGINT PRIMARY KEY, g INT, v NUMERIC, s TEXT, flag BOOL) with an
// index t_g ON t (g) INCLUDE (v) whose entries hold v.
proto::TableDescriptor TableT() {
  proto::TableDescriptor d;
  d.set_id(100);
  d.set_database_id(1);
  d.set_name("t");
  struct Column {
    const char* name;
    TypeId type;
    bool nullable;
  };
  const Column columns[] = {{"id", TypeId::kInt64, false},
                            {"g", TypeId::kInt32, true},
                            {"v", TypeId::kNumeric, true},
                            {"s", TypeId::kText, true},
                            {"flag", TypeId::kBool, true}};
  uint32_t id = 1;
  for (const Column& c : columns) {
    proto::ColumnDescriptor* col = d.add_columns();
    col->set_id(id++);
    col->set_name(c.name);
    col->set_type_id(static_cast<uint32_t>(c.type));
    col->set_precision(-1);
    col->set_scale(-1);
    col->set_nullable(c.nullable);
  }
  d.mutable_primary_index()->set_id(1);
  d.mutable_primary_index()->set_name("t_pkey");
  d.mutable_primary_index()->set_unique(true);
  d.mutable_primary_index()->add_column_ids(1);
  proto::IndexDescriptor* index = d.add_indexes();
  index->set_id(2);
  index->set_name("t_g");
  index->add_column_ids(2);
  index->add_storing_column_ids(3);
  index->set_stores_included_values(true);
  d.set_next_column_id(id);
  d.set_next_index_id(3);
  return d;
}

// Row i of t: g NULL for multiples of 7, v = i * 1.5, s NULL for multiples
// of 11, flag NULL for multiples of 13.
Row RowOfT(int64_t i) {
  return Row{Value::Int64(i), i % 7 == 0 ? Value::Null(TypeId::kInt32) : Value::Int32(i % 5),
             Num(std::to_string(i * 3 / 2) + (i % 2 == 0 ? ".0" : ".5")),
             i % 11 == 0 ? Value::Null(TypeId::kText) : Value::Text("name" + std::to_string(i)),
             i % 13 == 0 ? Value::Null(TypeId::kBool) : Value::Bool(i % 3 != 0)};
}

class ScanFragmentTest : public ::testing::Test {
 protected:
  static constexpr int64_t kRows = 300;

  ScanFragmentTest() : table_(std::make_shared<catalog::TableInfo>(TableT())) {
    for (int64_t i = 1; i <= kRows; ++i) {
      Row row = RowOfT(i);
      kvs_.push_back(
          {catalog::EncodePrimaryKey(*table_, row), catalog::EncodeRowValue(*table_, row)});
      catalog::IndexEntry entry = catalog::EncodeIndexEntry(*table_, table_->indexes()[0], row);
      index_kvs_.push_back({entry.key, entry.value});
      rows_.push_back(std::move(row));
    }
    std::sort(kvs_.begin(), kvs_.end());
    std::sort(index_kvs_.begin(), index_kvs_.end());
  }

  proto::ScanFragmentProto Fragment() const {
    proto::ScanFragmentProto p;
    *p.mutable_table() = table_->descriptor();
    return p;
  }

  // The proto of `e`, as EncodeScanFragment ships it.
  static proto::ExprProto Ship(const BoundExpr& e) {
    ExecContext ctx;
    absl::StatusOr<proto::ExprProto> p = ExprToProto(e, &ctx);
    EXPECT_TRUE(p.ok()) << p.status();
    return p.ok() ? *p : proto::ExprProto();
  }

  // A scan plan node over t reading the fragment `p` describes.
  planner::PlanNode ScanNode(const proto::ScanFragmentProto& p) const {
    planner::PlanNode scan(planner::PlanKind::kScan);
    scan.table = table_;
    scan.pushdown.enabled = true;
    scan.pushdown.filter = p.has_filter();
    scan.pushdown.columns.assign(p.columns().begin(), p.columns().end());
    scan.pushdown.partial_aggregate = p.partial_aggregate();
    return scan;
  }

  struct RunResult {
    std::vector<Row> rows;  // as ReadScanFragmentOutput gives them
    size_t added = 0;       // rows the run took before it wanted no more
    bool stopped = false;   // Add returned false
  };

  // Runs `p` over `kvs` [from, to) (one request), as a leaseholder would.
  RunResult Run(const proto::ScanFragmentProto& p,
                const std::vector<std::pair<std::string, std::string>>& kvs, size_t from,
                size_t to) const {
    RunResult out;
    absl::StatusOr<std::shared_ptr<const ScanFragment>> fragment =
        DecodeScanFragment(p.SerializeAsString());
    EXPECT_TRUE(fragment.ok()) << fragment.status();
    if (!fragment.ok()) return out;
    std::unique_ptr<kv::FragmentRun> run = NewScanFragmentRun(*fragment);
    for (size_t i = from; i < to; ++i) {
      absl::StatusOr<bool> more = run->Add(kvs[i].first, kvs[i].second);
      EXPECT_TRUE(more.ok()) << more.status();
      ++out.added;
      if (!more.ok()) return out;
      if (!*more) {
        out.stopped = true;
        break;
      }
    }
    absl::StatusOr<std::string> output = run->Finish();
    EXPECT_TRUE(output.ok()) << output.status();
    if (!output.ok()) return out;
    absl::Status s = ReadScanFragmentOutput(*output, ScanNode(p), &out.rows);
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  // The filter g = 2 AND v > 30 (on t's columns).
  static BoundExprPtr Filter() {
    return Node(
        BoundExprKind::kAnd, kBool,
        Children(Compare(planner::CompareOp::kEq, BoundExpr::Column(1, kInt, "g"), IntConst(2)),
                 Compare(planner::CompareOp::kGt, BoundExpr::Column(2, kNumeric, "v"),
                         BoundExpr::Constant(Num("30"), kNumeric))));
  }

  std::shared_ptr<const catalog::TableInfo> table_;
  std::vector<Row> rows_;  // by id
  std::vector<std::pair<std::string, std::string>> kvs_;
  std::vector<std::pair<std::string, std::string>> index_kvs_;
};

// Only the rows passing the filter come back, with the columns asked for
// and the others NULL.
TEST_F(ScanFragmentTest, FilterAndColumns) {
  proto::ScanFragmentProto p = Fragment();
  *p.mutable_filter() = Ship(*Filter());
  p.add_columns(0);
  p.add_columns(3);
  RunResult got = Run(p, kvs_, 0, kvs_.size());
  EXPECT_FALSE(got.stopped);

  std::vector<Row> expected;
  ExecContext ctx;
  BoundExprPtr filter = Filter();
  for (const Row& row : rows_) {
    absl::StatusOr<bool> pass = EvaluatePredicate(*filter, row, &ctx);
    ASSERT_TRUE(pass.ok());
    if (!*pass) continue;
    expected.push_back(Row{row[0], Value::Null(TypeId::kInt32), Value::Null(TypeId::kNumeric),
                           row[3], Value::Null(TypeId::kBool)});
  }
  ASSERT_GT(expected.size(), 10u);
  ASSERT_EQ(got.rows.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) ExpectSameRow(expected[i], got.rows[i]);
}

// Without a filter every row comes back; with every column, as stored.
TEST_F(ScanFragmentTest, NoFilterEveryColumn) {
  proto::ScanFragmentProto p = Fragment();
  for (int c = 0; c < 5; ++c) p.add_columns(c);
  RunResult got = Run(p, kvs_, 0, kvs_.size());
  ASSERT_EQ(got.rows.size(), rows_.size());
  for (size_t i = 0; i < rows_.size(); ++i) ExpectSameRow(rows_[i], got.rows[i]);
}

// With a limit, Add answers false at the limit-th row kept (rows filtered
// out do not count), and the output holds exactly that many rows.
TEST_F(ScanFragmentTest, LimitStopsTheRun) {
  proto::ScanFragmentProto p = Fragment();
  *p.mutable_filter() = Ship(*Filter());
  p.add_columns(0);
  p.set_limit(3);
  RunResult got = Run(p, kvs_, 0, kvs_.size());
  EXPECT_TRUE(got.stopped);
  ASSERT_EQ(got.rows.size(), 3u);
  // The third row kept was the last one added.
  std::vector<int64_t> kept_ids;
  for (const Row& row : rows_) {
    if (!row[1].is_null() && row[1].int_value() == 2 && !row[2].is_null() &&
        CompareValues(row[2], Num("30")) > 0) {
      kept_ids.push_back(row[0].int_value());
    }
  }
  ASSERT_GE(kept_ids.size(), 3u);
  EXPECT_EQ(got.added, static_cast<size_t>(kept_ids[2]));  // ids are 1..n in key order
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(got.rows[i][0].int_value(), kept_ids[i]);

  // Limit 1 stops at the first row kept.
  p.set_limit(1);
  got = Run(p, kvs_, 0, kvs_.size());
  EXPECT_TRUE(got.stopped);
  EXPECT_EQ(got.added, static_cast<size_t>(kept_ids[0]));
  EXPECT_EQ(got.rows.size(), 1u);

  // Fewer rows than the limit: the run never stops early.
  p.clear_filter();
  p.set_limit(kRows + 1);
  got = Run(p, kvs_, 0, kvs_.size());
  EXPECT_FALSE(got.stopped);
  EXPECT_EQ(got.rows.size(), static_cast<size_t>(kRows));
}

// An answer stops once its rows take max_output_bytes.
TEST_F(ScanFragmentTest, OutputSizeStopsTheRun) {
  proto::ScanFragmentProto p = Fragment();
  for (int c = 0; c < 5; ++c) p.add_columns(c);
  p.set_max_output_bytes(500);
  RunResult got = Run(p, kvs_, 0, kvs_.size());
  EXPECT_TRUE(got.stopped);
  EXPECT_GT(got.rows.size(), 1u);
  EXPECT_LT(got.rows.size(), 50u);
  EXPECT_EQ(got.rows.size(), got.added);
}

// A covering index's entries: the row holds the indexed, stored and key
// columns.
TEST_F(ScanFragmentTest, CoveringIndexEntries) {
  proto::ScanFragmentProto p = Fragment();
  p.set_index_id(2);
  *p.mutable_filter() = Ship(*Filter());
  p.add_columns(0);
  p.add_columns(1);
  p.add_columns(2);
  RunResult got = Run(p, index_kvs_, 0, index_kvs_.size());
  std::vector<Row> expected;
  for (const Row& row : rows_) {
    if (!row[1].is_null() && row[1].int_value() == 2 && CompareValues(row[2], Num("30")) > 0) {
      expected.push_back(
          Row{row[0], row[1], row[2], Value::Null(TypeId::kText), Value::Null(TypeId::kBool)});
    }
  }
  ASSERT_EQ(got.rows.size(), expected.size());  // g = 2 only: in id order within the group
  for (size_t i = 0; i < expected.size(); ++i) ExpectSameRow(expected[i], got.rows[i]);
}

// Partial aggregates: each "range" (a third of the rows) sends per group
// its values, then (state, count) per call; merging them gives what one
// aggregation over the filtered rows gives.
TEST_F(ScanFragmentTest, PartialAggregatesMergeToTheWholeAggregate) {
  // SELECT g, count(*), count(s), sum(v), avg(id), min(s), max(v), bool_and(flag),
  //        bool_or(flag) FROM t WHERE v > 30 GROUP BY g
  BoundExprPtr filter = Compare(planner::CompareOp::kGt, BoundExpr::Column(2, kNumeric, "v"),
                                BoundExpr::Constant(Num("30"), kNumeric));
  struct Agg {
    const char* function;
    int column;  // -1: *
  };
  const Agg aggs[] = {{"count", -1}, {"count", 3}, {"sum", 2},      {"avg", 0},
                      {"min", 3},    {"max", 2},   {"bool_and", 4}, {"bool_or", 4}};
  std::vector<planner::AggregateCall> calls;
  proto::ScanFragmentProto p = Fragment();
  *p.mutable_filter() = Ship(*filter);
  p.set_partial_aggregate(true);
  *p.add_group_by() = Ship(*BoundExpr::Column(1, kInt, "g"));
  for (const Agg& a : aggs) {
    planner::AggregateCall call;
    call.function = a.function;
    SqlType arg = SqlType::Of(TypeId::kInt64);
    if (a.column >= 0) {
      arg = table_->columns()[a.column].type;
      call.arg = BoundExpr::Column(a.column, arg, table_->columns()[a.column].name);
    }
    absl::StatusOr<SqlType> type = planner::AggregateResultType(a.function, arg, 0);
    ASSERT_TRUE(type.ok()) << type.status();
    call.type = *type;
    proto::AggregateProto* ap = p.add_aggregates();
    ap->set_function(call.function);
    if (call.arg) *ap->mutable_arg() = Ship(*call.arg);
    *ap->mutable_type() = SqlTypeToProto(call.type);
    calls.push_back(std::move(call));
  }

  // Three ranges' answers, merged per group as the Finalize Aggregate does.
  std::vector<Row> partial_rows;
  const size_t n = kvs_.size();
  const std::vector<std::pair<size_t, size_t>> ranges = {{0, n / 3}, {n / 3, n / 2}, {n / 2, n}};
  for (auto [from, to] : ranges) {
    RunResult got = Run(p, kvs_, from, to);
    EXPECT_FALSE(got.stopped);
    for (Row& row : got.rows) {
      ASSERT_EQ(row.size(), 1 + 2 * calls.size()) << RowText(row);
      partial_rows.push_back(std::move(row));
    }
  }
  using Accumulators = std::vector<std::unique_ptr<Accumulator>>;
  auto fresh = [&] {
    Accumulators accs;
    for (const auto& call : calls) accs.push_back(std::make_unique<Accumulator>(call));
    return accs;
  };
  absl::flat_hash_map<Row, Accumulators, RowHash, RowEq> merged, direct;
  for (const Row& row : partial_rows) {
    auto it = merged.find(Row{row[0]});
    if (it == merged.end()) it = merged.emplace(Row{row[0]}, fresh()).first;
    for (size_t i = 0; i < calls.size(); ++i) {
      ASSERT_TRUE(it->second[i]->AddPartial(row[1 + 2 * i], row[2 + 2 * i].int_value()).ok());
    }
  }
  ExecContext ctx;
  for (const Row& row : rows_) {
    absl::StatusOr<bool> pass = EvaluatePredicate(*filter, row, &ctx);
    ASSERT_TRUE(pass.ok());
    if (!*pass) continue;
    auto it = direct.find(Row{row[1]});
    if (it == direct.end()) it = direct.emplace(Row{row[1]}, fresh()).first;
    for (size_t i = 0; i < calls.size(); ++i) {
      ASSERT_TRUE(it->second[i]->Add(calls[i].arg ? row[aggs[i].column] : Value::Int64(1)).ok());
    }
  }
  ASSERT_EQ(merged.size(), direct.size());
  EXPECT_EQ(direct.size(), 6u);  // g in 0..4 and NULL
  for (const auto& [key, accs] : direct) {
    SCOPED_TRACE("group " + RowText(key));
    auto it = merged.find(key);
    ASSERT_NE(it, merged.end());
    for (size_t i = 0; i < calls.size(); ++i) {
      absl::StatusOr<Value> want = accs[i]->Result();
      absl::StatusOr<Value> have = it->second[i]->Result();
      ASSERT_TRUE(want.ok() && have.ok());
      EXPECT_EQ(Difference(*want, *have), "") << aggs[i].function;
    }
  }
}

// A partial aggregate without GROUP BY over rows none of which pass sends
// nothing: the gateway's aggregate makes the one row (count 0).
TEST_F(ScanFragmentTest, PartialAggregateOverNoRowsSendsNothing) {
  proto::ScanFragmentProto p = Fragment();
  *p.mutable_filter() =
      Ship(*Compare(planner::CompareOp::kLt,
                    BoundExpr::Column(0, SqlType::Of(TypeId::kInt64), "id"), IntConst(0)));
  p.set_partial_aggregate(true);
  p.add_aggregates()->set_function("count");
  *p.mutable_aggregates(0)->mutable_type() = SqlTypeToProto(SqlType::Of(TypeId::kInt64));
  RunResult got = Run(p, kvs_, 0, kvs_.size());
  EXPECT_TRUE(got.rows.empty());
  // Over rows that pass: one row, (NULL state, count).
  p.clear_filter();
  got = Run(p, kvs_, 0, 10);
  ASSERT_EQ(got.rows.size(), 1u);
  ASSERT_EQ(got.rows[0].size(), 2u);
  EXPECT_EQ(got.rows[0][1].int_value(), 10);
}

// A filter's error stops the run with its code (22012 at the client).
TEST_F(ScanFragmentTest, FilterErrorKeepsItsCode) {
  proto::ScanFragmentProto p = Fragment();
  *p.mutable_filter() = Ship(*Compare(
      planner::CompareOp::kEq,
      Arith(planner::ArithOp::kDiv, BoundExpr::Column(1, kInt, "g"), IntConst(0)), IntConst(1)));
  absl::StatusOr<std::shared_ptr<const ScanFragment>> fragment =
      DecodeScanFragment(p.SerializeAsString());
  ASSERT_TRUE(fragment.ok()) << fragment.status();
  std::unique_ptr<kv::FragmentRun> run = NewScanFragmentRun(*fragment);
  absl::StatusOr<bool> more = run->Add(kvs_[0].first, kvs_[0].second);
  ASSERT_FALSE(more.ok());
  EXPECT_EQ(GetErrorCode(more.status()), ErrorCode::kDivisionByZero) << more.status();
}

// A leaseholder refuses fragments that read what the table lacks.
TEST_F(ScanFragmentTest, MalformedFragmentsAreRefused) {
  EXPECT_FALSE(DecodeScanFragment("\xff\xff\xff not a proto").ok());
  {
    proto::ScanFragmentProto p = Fragment();
    p.add_columns(5);
    EXPECT_FALSE(DecodeScanFragment(p.SerializeAsString()).ok());
  }
  {
    proto::ScanFragmentProto p = Fragment();
    p.add_columns(-1);
    EXPECT_FALSE(DecodeScanFragment(p.SerializeAsString()).ok());
  }
  {
    proto::ScanFragmentProto p = Fragment();
    *p.mutable_filter() =
        Ship(*Compare(planner::CompareOp::kEq, BoundExpr::Column(9, kInt, "nine"), IntConst(1)));
    EXPECT_FALSE(DecodeScanFragment(p.SerializeAsString()).ok());
  }
  {
    proto::ScanFragmentProto p = Fragment();
    p.set_index_id(77);
    EXPECT_FALSE(DecodeScanFragment(p.SerializeAsString()).ok());
  }
  {
    proto::ScanFragmentProto p = Fragment();
    p.set_partial_aggregate(true);
    proto::AggregateProto* a = p.add_aggregates();
    a->set_function("sum");
    *a->mutable_arg() = Ship(*BoundExpr::Column(6, kInt, "six"));
    EXPECT_FALSE(DecodeScanFragment(p.SerializeAsString()).ok());
  }
}

}  // namespace
}  // namespace cairn::executor
