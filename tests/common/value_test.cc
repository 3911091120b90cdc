#include "common/value.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

#include "common/error_code.h"
#include "common/sql_type.h"
#include "test_seed.h"

namespace cairn {
namespace {

using cairn::testing::SeedTrace;
using cairn::testing::TestSeed;

constexpr double kInf = std::numeric_limits<double>::infinity();

Value Num(std::string_view text) { return Value::Num(*Numeric::Parse(text)); }

TEST(ValueTest, Accessors) {
  EXPECT_TRUE(Value().is_null());
  EXPECT_EQ(Value().type(), TypeId::kUnknown);
  EXPECT_TRUE(Value::Null(TypeId::kInt32).is_null());
  EXPECT_EQ(Value::Null(TypeId::kInt32).type(), TypeId::kInt32);
  EXPECT_EQ(Value::Int32(7).int_value(), 7);
  EXPECT_EQ(Value::Int32(7).type(), TypeId::kInt32);
  EXPECT_EQ(Value::Date(-3).date_value(), -3);
  EXPECT_EQ(Value::Text("x").WithType(TypeId::kVarchar).type(), TypeId::kVarchar);
  EXPECT_EQ(Value::Text("x").WithType(TypeId::kVarchar).str_value(), "x");
}

TEST(CompareValuesTest, NullSortsFirstAndEqualsNull) {
  std::vector<Value> non_null = {Value::Bool(false),           Value::Int64(-1000),
                                 Value::Float64(-kInf),        Num("-1e30"),
                                 Value::Text(""),              Value::Bytea(""),
                                 Value::Date(-100000),         Value::Float64(std::nan(""))};
  for (const Value& v : non_null) {
    EXPECT_LT(CompareValues(Value(), v), 0);
    EXPECT_GT(CompareValues(v, Value::Null(TypeId::kInt64)), 0);
  }
  EXPECT_EQ(CompareValues(Value(), Value::Null(TypeId::kText)), 0);
  EXPECT_TRUE(ValuesEqual(Value(), Value()));
}

TEST(CompareValuesTest, NumbersCompareAcrossTypes) {
  EXPECT_EQ(CompareValues(Value::Int32(1), Num("1.0")), 0);
  EXPECT_EQ(CompareValues(Value::Int(TypeId::kInt16, 5), Value::Int64(5)), 0);
  EXPECT_LT(CompareValues(Value::Int64(2), Value::Float64(2.5)), 0);
  EXPECT_GT(CompareValues(Value::Int64(3), Value::Float64(2.5)), 0);
  EXPECT_EQ(CompareValues(Num("2.5"), Value::Float64(2.5)), 0);
  EXPECT_LT(CompareValues(Num("2.49"), Value::Float64(2.5)), 0);
  EXPECT_LT(CompareValues(Num("-0.001"), Value::Int32(0)), 0);
  EXPECT_GT(CompareValues(Num("100.5"), Value::Int64(100)), 0);
  EXPECT_EQ(CompareValues(Value::Float64(-0.0), Value::Int32(0)), 0);
  EXPECT_EQ(CompareValues(Value::Float(TypeId::kFloat32, 0.5), Value::Float64(0.5)), 0);
  // Exact integer comparison, no detour through double.
  EXPECT_LT(CompareValues(Value::Int64((int64_t{1} << 53)), Value::Int64((int64_t{1} << 53) + 1)),
            0);
  EXPECT_LT(CompareValues(Num("9007199254740992"), Value::Int64((int64_t{1} << 53) + 1)), 0);
  // NaN sorts above every number, infinity included.
  EXPECT_GT(CompareValues(Value::Float64(std::nan("")), Value::Float64(kInf)), 0);
  EXPECT_GT(CompareValues(Value::Float64(std::nan("")), Value::Int64(INT64_MAX)), 0);
  EXPECT_EQ(CompareValues(Value::Float64(std::nan("")), Value::Float64(-std::nan(""))), 0);
  EXPECT_LT(CompareValues(Value::Float64(-kInf), Num("-99999999999999999999")), 0);
}

TEST(CompareValuesTest, OtherFamilies) {
  EXPECT_LT(CompareValues(Value::Bool(false), Value::Bool(true)), 0);
  EXPECT_LT(CompareValues(Value::Text("a"), Value::Text("ab")), 0);
  EXPECT_LT(CompareValues(Value::Text("ab"), Value::Text("b")), 0);
  EXPECT_EQ(CompareValues(Value::Text("x"), Value::String(TypeId::kVarchar, "x")), 0);
  // Bytewise: a high byte sorts after ASCII.
  EXPECT_LT(CompareValues(Value::Bytea("a"), Value::Bytea("\xff")), 0);
  EXPECT_LT(CompareValues(Value::Text("z"), Value::Text("\xc3\xa9")), 0);
  EXPECT_EQ(CompareValues(Value::Date(1), Value::Timestamp(TypeId::kTimestamp, 86400000000LL)), 0);
  EXPECT_LT(CompareValues(Value::Date(1), Value::Timestamp(TypeId::kTimestamp, 86400000001LL)), 0);
  EXPECT_GT(CompareValues(Value::Timestamp(TypeId::kTimestampTz, 5),
                          Value::Timestamp(TypeId::kTimestampTz, 4)),
            0);
  // Different families order by family, consistently.
  EXPECT_EQ(CompareValues(Value::Bool(true), Value::Int64(0)),
            -CompareValues(Value::Int64(0), Value::Bool(true)));
  EXPECT_NE(CompareValues(Value::Text("1"), Value::Int64(1)), 0);
}

TEST(CompareValuesTest, RowHashAndEq) {
  Row a = {Value::Int32(1), Value::Text("x"), Value()};
  Row b = {Num("1.00"), Value::Text("x"), Value::Null(TypeId::kText)};
  Row c = {Value::Int32(1), Value::Text("y"), Value()};
  EXPECT_TRUE(RowEq()(a, b));
  EXPECT_EQ(RowHash()(a), RowHash()(b));
  EXPECT_FALSE(RowEq()(a, c));
  EXPECT_FALSE(RowEq()(a, Row{Value::Int32(1)}));
}

// Model test: sorting random numbers of mixed types with CompareValues gives
// the order of their exact values; equal values hash alike.
TEST(CompareValuesTest, RandomMixedNumbersAgreeWithModel) {
  const uint64_t seed = TestSeed(99);
  SCOPED_TRACE(SeedTrace(seed));
  std::mt19937_64 rng(seed);
  struct Item {
    Value value;
    double model;  // exact for the values generated below
  };
  std::vector<Item> items;
  for (int i = 0; i < 600; ++i) {
    // Multiples of 1/4 in [-50, 50]: exact in every representation.
    int64_t quarters = static_cast<int64_t>(rng() % 401) - 200;
    double d = static_cast<double>(quarters) / 4;
    switch (rng() % 5) {
      case 0:
        if (quarters % 4 != 0) continue;
        items.push_back({Value::Int(TypeId::kInt16, quarters / 4), d});
        break;
      case 1:
        if (quarters % 4 != 0) continue;
        items.push_back({Value::Int64(quarters / 4), d});
        break;
      case 2: items.push_back({Value::Float64(d), d}); break;
      case 3: items.push_back({Value::Float(TypeId::kFloat32, d), d}); break;
      default: {
        // Scaled by 100 with trailing zeros sometimes: 1.50 == 1.5.
        Numeric n{static_cast<__int128>(quarters) * 25, 2};
        if (rng() % 2) n = *n.Rescale(4);
        items.push_back({Value::Num(n), d});
      }
    }
  }
  for (const Item& a : items) {
    for (const Item& b : items) {
      int model = a.model < b.model ? -1 : (a.model > b.model ? 1 : 0);
      int got = CompareValues(a.value, b.value);
      ASSERT_EQ((got > 0) - (got < 0), model) << a.model << " vs " << b.model;
      if (model == 0) {
        ASSERT_EQ(HashValue(a.value), HashValue(b.value)) << a.model;
      }
    }
  }
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return CompareValues(a.value, b.value) < 0;
  });
  ASSERT_TRUE(std::is_sorted(items.begin(), items.end(),
                             [](const Item& a, const Item& b) { return a.model < b.model; }));
}

TEST(SqlTypeTest, NamesOidsAndTypmods) {
  EXPECT_EQ(TypeName(SqlType::Of(TypeId::kInt32)), "integer");
  EXPECT_EQ(TypeName(SqlType{TypeId::kVarchar, 10, -1}), "character varying(10)");
  EXPECT_EQ(TypeName(SqlType{TypeId::kNumeric, 10, 2}), "numeric(10,2)");
  EXPECT_EQ(TypeName(SqlType::Of(TypeId::kTimestampTz)), "timestamp with time zone");
  EXPECT_EQ(PgTypeOid(TypeId::kInt64), 20u);
  EXPECT_EQ(PgTypeOid(TypeId::kNumeric), 1700u);
  EXPECT_EQ(PgTypeOid(TypeId::kText), 25u);
  EXPECT_EQ(PgTypeMod(SqlType{TypeId::kVarchar, 10, -1}), 14);
  EXPECT_EQ(PgTypeMod(SqlType{TypeId::kNumeric, 10, 2}), (10 << 16 | 2) + 4);
  EXPECT_EQ(PgTypeMod(SqlType::Of(TypeId::kInt32)), -1);
  EXPECT_EQ(PgTypeLen(TypeId::kInt32), 4);
  EXPECT_EQ(PgTypeLen(TypeId::kText), -1);
  EXPECT_TRUE(IsNumericType(TypeId::kNumeric));
  EXPECT_FALSE(IsIntegerType(TypeId::kFloat64));
  EXPECT_TRUE(IsStringType(TypeId::kChar));
  EXPECT_TRUE(IsTimeType(TypeId::kDate));
}

TEST(ErrorCodeTest, MakeErrorCarriesCodeAndSqlState) {
  absl::Status s = MakeError(ErrorCode::kSerializationFailure, "conflict");
  EXPECT_EQ(GetErrorCode(s), ErrorCode::kSerializationFailure);
  EXPECT_EQ(SqlState(s), "40001");
  EXPECT_TRUE(IsRetryable(s));
  EXPECT_EQ(s.code(), absl::StatusCode::kAborted);
  EXPECT_EQ(s.message(), "conflict");

  absl::Status u = MakeError(ErrorCode::kUniqueViolation, "dup");
  EXPECT_EQ(SqlState(u), "23505");
  EXPECT_FALSE(IsRetryable(u));

  EXPECT_EQ(SqlState(Errorf(ErrorCode::kDivisionByZero, "x=%d", 3)), "22012");
  EXPECT_EQ(Errorf(ErrorCode::kDivisionByZero, "x=%d", 3).message(), "x=3");
  EXPECT_FALSE(IsRetryable(absl::OkStatus()));
}

TEST(ErrorCodeTest, PlainStatusesMapFromTheirAbslCode) {
  EXPECT_EQ(GetErrorCode(absl::AbortedError("x")), ErrorCode::kSerializationFailure);
  EXPECT_EQ(GetErrorCode(absl::UnavailableError("x")), ErrorCode::kUnavailable);
  EXPECT_EQ(GetErrorCode(absl::CancelledError("x")), ErrorCode::kQueryCanceled);
  EXPECT_EQ(GetErrorCode(absl::DataLossError("x")), ErrorCode::kDataCorrupted);
  EXPECT_EQ(GetErrorCode(absl::InternalError("x")), ErrorCode::kInternal);
  EXPECT_EQ(SqlState(absl::InvalidArgumentError("x")), "XX000");
}

TEST(ErrorCodeTest, Positions) {
  absl::Status s = MakeError(ErrorCode::kSyntaxError, "bad", 7);
  EXPECT_EQ(GetErrorPosition(s), 7);
  EXPECT_EQ(GetErrorPosition(WithPosition(s, 9)), 7);  // the first position wins
  absl::Status t = WithPosition(MakeError(ErrorCode::kUndefinedColumn, "c"), 3);
  EXPECT_EQ(GetErrorPosition(t), 3);
  EXPECT_EQ(GetErrorCode(t), ErrorCode::kUndefinedColumn);
  EXPECT_EQ(GetErrorPosition(absl::OkStatus()), std::nullopt);
  EXPECT_TRUE(WithPosition(absl::OkStatus(), 3).ok());
}

TEST(ErrorCodeTest, TableIsIndexedByCode) {
  for (int i = 0; i <= static_cast<int>(ErrorCode::kDataCorrupted); ++i) {
    auto code = static_cast<ErrorCode>(i);
    const ErrorCodeInfo& info = GetErrorCodeInfo(code);
    EXPECT_EQ(info.code, code) << info.name;
    EXPECT_EQ(info.sqlstate.size(), 5u) << info.name;
    EXPECT_EQ(GetErrorCode(MakeError(code, "m")), code) << info.name;
  }
}

}  // namespace
}  // namespace cairn
