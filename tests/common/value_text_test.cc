#include "common/value_text.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <string>

#include "common/error_code.h"
#include "test_seed.h"

namespace cairn {
namespace {

using cairn::testing::SeedTrace;
using cairn::testing::TestSeed;

constexpr double kInf = std::numeric_limits<double>::infinity();

SqlType T(TypeId id, int32_t precision = -1, int32_t scale = -1) {
  return SqlType{id, precision, scale};
}

// The text PostgreSQL would send for `text` cast to `type`, or
// "error <SQLSTATE>".
std::string RoundTrip(std::string_view text, const SqlType& type) {
  auto v = ParseValue(text, type);
  if (!v.ok()) return "error " + std::string(SqlState(v.status()));
  return FormatValue(*v);
}

std::string ErrorState(std::string_view text, const SqlType& type) {
  auto v = ParseValue(text, type);
  if (v.ok()) return "ok: " + FormatValue(*v);
  return std::string(SqlState(v.status()));
}

// --- Output ---------------------------------------------------------------

TEST(FormatValueTest, Floats) {
  EXPECT_EQ(FormatValue(Value::Float64(1.5)), "1.5");
  EXPECT_EQ(FormatValue(Value::Float64(1e20)), "1e+20");
  EXPECT_EQ(FormatValue(Value::Float64(0.1)), "0.1");
  EXPECT_EQ(FormatValue(Value::Float64(0.1 + 0.2)), "0.30000000000000004");
  EXPECT_EQ(FormatValue(Value::Float64(-2.5)), "-2.5");
  EXPECT_EQ(FormatValue(Value::Float64(100)), "100");
  EXPECT_EQ(FormatValue(Value::Float64(123.456)), "123.456");
  EXPECT_EQ(FormatValue(Value::Float64(1e-5)), "1e-05");
  EXPECT_EQ(FormatValue(Value::Float64(1.5e-300)), "1.5e-300");
  EXPECT_EQ(FormatValue(Value::Float64(-0.0)), "-0");
  EXPECT_EQ(FormatValue(Value::Float64(std::nan(""))), "NaN");
  EXPECT_EQ(FormatValue(Value::Float64(kInf)), "Infinity");
  EXPECT_EQ(FormatValue(Value::Float64(-kInf)), "-Infinity");
  EXPECT_EQ(FormatValue(Value::Float(TypeId::kFloat32, 1.1f)), "1.1");
  EXPECT_EQ(FormatValue(Value::Float(TypeId::kFloat32, 1e6f)), "1e+06");
}

// PostgreSQL (float8out/float4out, shortest-exact since v12) switches to
// exponent notation only when the decimal exponent is < -4 or >= 15 (float8)
// / >= 6 (float4), like printf's %g. std::to_chars picks whichever form is
// shorter, which differs: SELECT 1000000::float8 is 1000000 in PostgreSQL.
TEST(FormatValueTest, FloatNotationThresholdsMatchPostgres) {
  EXPECT_EQ(FormatValue(Value::Float64(1e6)), "1000000");
  EXPECT_EQ(FormatValue(Value::Float64(1e14)), "100000000000000");
  EXPECT_EQ(FormatValue(Value::Float64(1e15)), "1e+15");
  EXPECT_EQ(FormatValue(Value::Float64(0.0001)), "0.0001");
  EXPECT_EQ(FormatValue(Value::Float64(123456789012345678.0)), "1.2345678901234568e+17");
  EXPECT_EQ(FormatValue(Value::Float(TypeId::kFloat32, 100000)), "100000");
  EXPECT_EQ(FormatValue(Value::Float(TypeId::kFloat32, 1234567.0f)), "1.234567e+06");
}

TEST(FormatValueTest, OtherTypes) {
  EXPECT_EQ(FormatValue(Value::Bool(true)), "t");
  EXPECT_EQ(FormatValue(Value::Bool(false)), "f");
  EXPECT_EQ(FormatValue(Value::Int(TypeId::kInt16, -32768)), "-32768");
  EXPECT_EQ(FormatValue(Value::Int64(std::numeric_limits<int64_t>::min())),
            "-9223372036854775808");
  EXPECT_EQ(FormatValue(Value::Num(Numeric{-150, 2})), "-1.50");
  EXPECT_EQ(FormatValue(Value::Text("héllo")), "héllo");
  EXPECT_EQ(FormatValue(Value::Bytea(std::string("\x00\xff\x10", 3))), "\\x00ff10");
  EXPECT_EQ(FormatValue(Value::Bytea("")), "\\x");
  EXPECT_EQ(FormatValue(Value::Date(0)), "1970-01-01");
  EXPECT_EQ(FormatValue(Value::Date(-1)), "1969-12-31");
  EXPECT_EQ(FormatValue(Value::Date(-719163)), "0001-12-31 BC");  // the day before 0001-01-01
  EXPECT_EQ(FormatValue(Value::Timestamp(TypeId::kTimestamp, 0)), "1970-01-01 00:00:00");
  EXPECT_EQ(FormatValue(Value::Timestamp(TypeId::kTimestamp, 1500000)), "1970-01-01 00:00:01.5");
  EXPECT_EQ(FormatValue(Value::Timestamp(TypeId::kTimestamp, -1)),
            "1969-12-31 23:59:59.999999");
  EXPECT_EQ(FormatValue(Value::Timestamp(TypeId::kTimestampTz, 0)), "1970-01-01 00:00:00+00");
}

// --- Input ----------------------------------------------------------------

TEST(ParseValueTest, Booleans) {
  for (const char* t : {"t", "true", "TRUE", " yes ", "on", "1", "y"}) {
    EXPECT_EQ(RoundTrip(t, T(TypeId::kBool)), "t") << t;
  }
  for (const char* f : {"f", "false", "No", "off", "0", "n"}) {
    EXPECT_EQ(RoundTrip(f, T(TypeId::kBool)), "f") << f;
  }
  EXPECT_EQ(ErrorState("maybe", T(TypeId::kBool)), "22P02");
  EXPECT_EQ(ErrorState("", T(TypeId::kBool)), "22P02");
}

TEST(ParseValueTest, Integers) {
  EXPECT_EQ(RoundTrip(" 42 ", T(TypeId::kInt32)), "42");
  EXPECT_EQ(RoundTrip("+7", T(TypeId::kInt32)), "7");
  EXPECT_EQ(RoundTrip("-2147483648", T(TypeId::kInt32)), "-2147483648");
  EXPECT_EQ(RoundTrip("32767", T(TypeId::kInt16)), "32767");
  EXPECT_EQ(RoundTrip("9223372036854775807", T(TypeId::kInt64)), "9223372036854775807");
  EXPECT_EQ(ErrorState("2147483648", T(TypeId::kInt32)), "22003");
  EXPECT_EQ(ErrorState("-32769", T(TypeId::kInt16)), "22003");
  EXPECT_EQ(ErrorState("9223372036854775808", T(TypeId::kInt64)), "22003");
  EXPECT_EQ(ErrorState("-99999999999999999999", T(TypeId::kInt64)), "22003");
  for (const char* bad : {"", " ", "abc", "12a", "1.5", "1e3", "--1", "+", "0x10"}) {
    EXPECT_EQ(ErrorState(bad, T(TypeId::kInt32)), "22P02") << "\"" << bad << "\"";
  }
}

TEST(ParseValueTest, Floats) {
  EXPECT_EQ(RoundTrip(" 1.5 ", T(TypeId::kFloat64)), "1.5");
  EXPECT_EQ(RoundTrip("1e20", T(TypeId::kFloat64)), "1e+20");
  EXPECT_EQ(RoundTrip("0.1", T(TypeId::kFloat64)), "0.1");
  EXPECT_EQ(RoundTrip("NaN", T(TypeId::kFloat64)), "NaN");
  EXPECT_EQ(RoundTrip("Infinity", T(TypeId::kFloat64)), "Infinity");
  EXPECT_EQ(RoundTrip("-infinity", T(TypeId::kFloat64)), "-Infinity");
  EXPECT_EQ(RoundTrip("0.1", T(TypeId::kFloat32)), "0.1");
  EXPECT_EQ(ErrorState("1e400", T(TypeId::kFloat64)), "22003");
  EXPECT_EQ(ErrorState("-1e400", T(TypeId::kFloat64)), "22003");
  EXPECT_EQ(ErrorState("1e39", T(TypeId::kFloat32)), "22003");
  EXPECT_EQ(ErrorState("abc", T(TypeId::kFloat64)), "22P02");
  EXPECT_EQ(ErrorState("", T(TypeId::kFloat64)), "22P02");
  EXPECT_EQ(ErrorState("1.5x", T(TypeId::kFloat32)), "22P02");
}

TEST(ParseValueTest, NumericWithTypmod) {
  EXPECT_EQ(RoundTrip("1.50", T(TypeId::kNumeric)), "1.50");
  EXPECT_EQ(RoundTrip("123.456", T(TypeId::kNumeric, 5, 2)), "123.46");
  EXPECT_EQ(RoundTrip("7", T(TypeId::kNumeric, 5, 2)), "7.00");
  EXPECT_EQ(RoundTrip("7.5", T(TypeId::kNumeric, 3)), "8");  // NUMERIC(3) = NUMERIC(3,0)
  EXPECT_EQ(ErrorState("1234.5", T(TypeId::kNumeric, 5, 2)), "22003");
  EXPECT_EQ(ErrorState("abc", T(TypeId::kNumeric, 5, 2)), "22P02");
}

TEST(ParseValueTest, Strings) {
  EXPECT_EQ(RoundTrip("anything at all", T(TypeId::kText)), "anything at all");
  EXPECT_EQ(RoundTrip("abc", T(TypeId::kVarchar, 3)), "abc");
  EXPECT_EQ(RoundTrip("abc", T(TypeId::kVarchar)), "abc");
  EXPECT_EQ(ErrorState("abcd", T(TypeId::kVarchar, 3)), "22001");
  EXPECT_EQ(ErrorState("abcd", T(TypeId::kChar, 3)), "22001");
  // Trailing spaces past the limit are dropped, as in PostgreSQL.
  EXPECT_EQ(RoundTrip("ab    ", T(TypeId::kVarchar, 3)), "ab ");
  EXPECT_EQ(RoundTrip("abc   ", T(TypeId::kVarchar, 3)), "abc");
  // CHAR(n) pads to n.
  EXPECT_EQ(RoundTrip("a", T(TypeId::kChar, 3)), "a  ");
}

// VARCHAR(n) and CHAR(n) count characters, not bytes: in a UTF8 database
// SELECT 'ééé'::varchar(3) is fine, and 'éééé'::varchar(3) fails with 22001.
TEST(ParseValueTest, VarcharLengthCountsCharactersNotBytes) {
  EXPECT_EQ(RoundTrip("ééé", T(TypeId::kVarchar, 3)), "ééé");
  EXPECT_EQ(RoundTrip("日本", T(TypeId::kChar, 2)), "日本");
  EXPECT_EQ(ErrorState("éééé", T(TypeId::kVarchar, 3)), "22001");
}

TEST(ParseValueTest, Bytea) {
  auto v = ParseValue("\\xDEADbeef", T(TypeId::kBytea));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->str_value(), "\xde\xad\xbe\xef");
  EXPECT_EQ(RoundTrip("\\x", T(TypeId::kBytea)), "\\x");
  EXPECT_EQ(RoundTrip("\\x00 ff", T(TypeId::kBytea)), "\\x00ff");
  // Escape format.
  EXPECT_EQ(RoundTrip("abc", T(TypeId::kBytea)), "\\x616263");
  EXPECT_EQ(RoundTrip("a\\\\b", T(TypeId::kBytea)), "\\x615c62");
  EXPECT_EQ(RoundTrip("\\001\\377", T(TypeId::kBytea)), "\\x01ff");
  EXPECT_EQ(ErrorState("\\x0", T(TypeId::kBytea)), "22P02");
  EXPECT_EQ(ErrorState("\\xZZ", T(TypeId::kBytea)), "22P02");
  EXPECT_EQ(ErrorState("\\9", T(TypeId::kBytea)), "22P02");
  EXPECT_EQ(ErrorState("ab\\", T(TypeId::kBytea)), "22P02");
}

TEST(ParseValueTest, Dates) {
  EXPECT_EQ(RoundTrip("2024-02-29", T(TypeId::kDate)), "2024-02-29");
  EXPECT_EQ(RoundTrip(" 1970-01-01 ", T(TypeId::kDate)), "1970-01-01");
  EXPECT_EQ(RoundTrip("0001-01-01", T(TypeId::kDate)), "0001-01-01");
  EXPECT_EQ(RoundTrip("9999-12-31", T(TypeId::kDate)), "9999-12-31");
  EXPECT_EQ(RoundTrip("2000-01-01 12:34:56", T(TypeId::kDate)), "2000-01-01");
  EXPECT_EQ(*ParseDate("1970-01-02"), 1);
  EXPECT_EQ(*ParseDate("1969-12-31"), -1);
  for (const char* bad : {"2023-02-29", "2024-13-01", "2024-00-10", "2024-04-31"}) {
    std::string state = ErrorState(bad, T(TypeId::kDate));
    EXPECT_TRUE(state == "22007" || state == "22008") << bad << ": " << state;
  }
  EXPECT_EQ(ErrorState("hello", T(TypeId::kDate)), "22007");
  EXPECT_EQ(ErrorState("", T(TypeId::kDate)), "22007");
}

// SELECT '2024-01-15abc'::date fails in PostgreSQL (22007); only a time
// part may follow the date.
TEST(ParseValueTest, DateRejectsTrailingGarbage) {
  EXPECT_EQ(ErrorState("2024-01-15abc", T(TypeId::kDate)), "22007");
  EXPECT_EQ(ErrorState("2024-01-15 xyz", T(TypeId::kDate)), "22007");
}

TEST(ParseValueTest, Timestamps) {
  const SqlType ts = T(TypeId::kTimestamp), tz = T(TypeId::kTimestampTz);
  EXPECT_EQ(RoundTrip("2024-01-15 10:30:00", ts), "2024-01-15 10:30:00");
  EXPECT_EQ(RoundTrip("2024-01-15 10:30", ts), "2024-01-15 10:30:00");
  EXPECT_EQ(RoundTrip("2024-01-15T10:30:00.5", ts), "2024-01-15 10:30:00.5");
  EXPECT_EQ(RoundTrip("2024-01-15 10:30:00.123456", ts), "2024-01-15 10:30:00.123456");
  EXPECT_EQ(RoundTrip("2024-01-15 10:30:00.1234567", ts), "2024-01-15 10:30:00.123457");
  EXPECT_EQ(RoundTrip("2024-01-15", ts), "2024-01-15 00:00:00");
  EXPECT_EQ(RoundTrip("1969-12-31 23:59:59.5", ts), "1969-12-31 23:59:59.5");
  // A zone is ignored for timestamp and applied for timestamptz (shown in UTC).
  EXPECT_EQ(RoundTrip("2024-01-15 10:30:00+02", ts), "2024-01-15 10:30:00");
  EXPECT_EQ(RoundTrip("2024-01-15 10:30:00+02", tz), "2024-01-15 08:30:00+00");
  EXPECT_EQ(RoundTrip("2024-01-15 10:30:00+05:30", tz), "2024-01-15 05:00:00+00");
  EXPECT_EQ(RoundTrip("2024-01-15 10:30:00-0800", tz), "2024-01-15 18:30:00+00");
  EXPECT_EQ(RoundTrip("2024-01-15T10:30:00Z", tz), "2024-01-15 10:30:00+00");
  EXPECT_EQ(RoundTrip("2024-01-15 10:30:00 UTC", tz), "2024-01-15 10:30:00+00");
  EXPECT_EQ(RoundTrip("2024-01-01 01:00:00+02", tz), "2023-12-31 23:00:00+00");

  EXPECT_EQ(ErrorState("2024-01-15 25:00:00", ts), "22008");
  EXPECT_EQ(ErrorState("2024-01-15 10:61:00", ts), "22008");
  // 24:00:00 is the end of the day; anything past it is out of range.
  EXPECT_EQ(RoundTrip("2024-01-15 24:00:00", ts), "2024-01-16 00:00:00");
  EXPECT_EQ(ErrorState("2024-01-15 24:30:00", ts), "22008");
  EXPECT_EQ(ErrorState("2024-01-15 24:00:00.5", ts), "22008");
  EXPECT_EQ(ErrorState("garbage", ts), "22007");
  EXPECT_EQ(ErrorState("2024-01-15 10:30:00 +5x", tz), "22007");
  EXPECT_EQ(ErrorState("2024-02-30 10:00:00", ts).substr(0, 4), "2200");
}

TEST(ParseValueTest, UnknownAndTextKeepTheirBytes) {
  auto v = ParseValue(std::string("a\0b", 3), T(TypeId::kUnknown));
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v->type(), TypeId::kUnknown);
  EXPECT_EQ(v->str_value(), std::string("a\0b", 3));
}

// --- Round-trip properties --------------------------------------------------

class ValueTextPropertyTest : public ::testing::Test {
 protected:
  void SetUp() override { rng_.seed(seed_); }
  const uint64_t seed_ = TestSeed(424242);
  std::mt19937_64 rng_;
};

TEST_F(ValueTextPropertyTest, DatesRoundTrip) {
  SCOPED_TRACE(SeedTrace(seed_));
  const int32_t first = -719162;  // 0001-01-01
  const int32_t last = 2932896;   // 9999-12-31
  ASSERT_EQ(FormatDate(first), "0001-01-01");
  ASSERT_EQ(FormatDate(last), "9999-12-31");
  for (int i = 0; i < 2000; ++i) {
    int32_t days = first + static_cast<int32_t>(rng_() % (last - first + 1));
    std::string text = FormatDate(days);
    auto back = ParseDate(text);
    ASSERT_TRUE(back.ok()) << text << ": " << back.status();
    ASSERT_EQ(*back, days) << text;
  }
}

TEST_F(ValueTextPropertyTest, TimestampsRoundTrip) {
  SCOPED_TRACE(SeedTrace(seed_));
  const int64_t first = -62135596800LL * 1000000;        // 0001-01-01 00:00:00
  const int64_t last = 253402300799LL * 1000000 + 999999;  // 9999-12-31 23:59:59.999999
  for (int i = 0; i < 2000; ++i) {
    int64_t micros = first + static_cast<int64_t>(rng_() % static_cast<uint64_t>(last - first));
    if (i % 3 == 0) micros -= micros % 1000000;  // whole seconds too
    for (bool with_tz : {false, true}) {
      std::string text = FormatTimestamp(micros, with_tz);
      auto back = ParseTimestampMicros(text, with_tz);
      ASSERT_TRUE(back.ok()) << text << ": " << back.status();
      ASSERT_EQ(*back, micros) << text;
    }
  }
}

TEST_F(ValueTextPropertyTest, FloatsRoundTrip) {
  SCOPED_TRACE(SeedTrace(seed_));
  for (int i = 0; i < 2000; ++i) {
    double d = std::bit_cast<double>(rng_());
    if (std::isnan(d) || std::isinf(d)) continue;
    std::string text = FormatValue(Value::Float64(d));
    auto back = ParseValue(text, T(TypeId::kFloat64));
    ASSERT_TRUE(back.ok()) << text;
    ASSERT_EQ(back->float_value(), d) << text;  // shortest exact output
    float f = static_cast<float>(std::ldexp(static_cast<double>(rng_() % 10000000), -20));
    std::string ftext = FormatValue(Value::Float(TypeId::kFloat32, f));
    auto fback = ParseValue(ftext, T(TypeId::kFloat32));
    ASSERT_TRUE(fback.ok()) << ftext;
    ASSERT_EQ(static_cast<float>(fback->float_value()), f) << ftext;
  }
}

TEST_F(ValueTextPropertyTest, ByteaAndIntegersRoundTrip) {
  SCOPED_TRACE(SeedTrace(seed_));
  for (int i = 0; i < 1000; ++i) {
    std::string bytes;
    size_t len = rng_() % 20;
    for (size_t j = 0; j < len; ++j) bytes.push_back(static_cast<char>(rng_()));
    std::string text = FormatValue(Value::Bytea(bytes));
    auto back = ParseValue(text, T(TypeId::kBytea));
    ASSERT_TRUE(back.ok()) << text;
    ASSERT_EQ(back->str_value(), bytes);

    int64_t n = static_cast<int64_t>(rng_());
    auto nb = ParseValue(FormatValue(Value::Int64(n)), T(TypeId::kInt64));
    ASSERT_TRUE(nb.ok());
    ASSERT_EQ(nb->int_value(), n);
  }
}

}  // namespace
}  // namespace cairn
