#include "common/numeric.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "common/error_code.h"
#include "test_seed.h"

namespace cairn {
namespace {

using cairn::testing::SeedTrace;
using cairn::testing::TestSeed;

Numeric N(std::string_view text) {
  auto n = Numeric::Parse(text);
  EXPECT_TRUE(n.ok()) << text << ": " << n.status();
  return n.ok() ? *n : Numeric{};
}

std::string Str(const absl::StatusOr<Numeric>& n) {
  if (!n.ok()) return "error " + std::string(SqlState(n.status()));
  return n->ToString();
}

TEST(NumericTest, ParseAndFormat) {
  struct Case {
    const char* in;
    const char* out;
  } cases[] = {
      {"1.50", "1.50"},      {"-0.001", "-0.001"}, {"1e3", "1000"},     {"  12 ", "12"},
      {"0", "0"},            {"-0", "0"},          {"0.000", "0.000"},  {"+3.25", "3.25"},
      {".5", "0.5"},         {"5.", "5"},          {"007", "7"},        {"1.5e-2", "0.015"},
      {"1E+2", "100"},       {"2.50e1", "25.0"},   {"-12.345", "-12.345"},
      {"12345678901234567890123456789012345678", "12345678901234567890123456789012345678"},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Str(Numeric::Parse(c.in)), c.out) << "input \"" << c.in << "\"";
  }
}

TEST(NumericTest, ParseKeepsScale) {
  Numeric n = N("1.50");
  EXPECT_EQ(n.unscaled, 150);
  EXPECT_EQ(n.scale, 2);
  EXPECT_EQ(N("1e3").scale, 0);
  EXPECT_EQ(N("-0.001").unscaled, -1);
  EXPECT_EQ(N("-0.001").scale, 3);
}

TEST(NumericTest, InvalidInputIs22P02) {
  for (const char* bad : {"", "   ", "abc", "1.2.3", "1e", "e5", "--1", "+-1", "1 2", ".", "1e+",
                          "1x", "0x10", "1,5", "NaN1"}) {
    auto n = Numeric::Parse(bad);
    ASSERT_FALSE(n.ok()) << "\"" << bad << "\" parsed as " << n->ToString();
    EXPECT_EQ(SqlState(n.status()), "22P02") << "\"" << bad << "\"";
  }
}

TEST(NumericTest, TooManyDigitsIs22003) {
  EXPECT_EQ(Str(Numeric::Parse("1" + std::string(40, '0'))), "error 22003");
  EXPECT_EQ(Str(Numeric::Parse("1e50")), "error 22003");
  EXPECT_EQ(Str(Numeric::Parse("1e99999")), "error 22003");
}

TEST(NumericTest, Arithmetic) {
  EXPECT_EQ(Str(N("1.5").Add(N("2.25"))), "3.75");
  EXPECT_EQ(Str(N("1").Sub(N("0.001"))), "0.999");
  EXPECT_EQ(Str(N("-1.5").Add(N("1.5"))), "0.0");
  EXPECT_EQ(Str(N("1.5").Mul(N("-2.25"))), "-3.375");
  EXPECT_EQ(Str(N("0.1").Mul(N("0.1"))), "0.01");
  EXPECT_EQ(Str(N("10").Mod(N("3"))), "1");
  EXPECT_EQ(Str(N("-7.5").Mod(N("2"))), "-1.5");  // sign of the dividend, as in PostgreSQL
  EXPECT_EQ(Str(N("7").Mod(N("-2"))), "1");
  EXPECT_EQ(Str(N("1").Div(N("8"))).substr(0, 6), "0.1250");
  EXPECT_EQ(N("-3.5").Negate().ToString(), "3.5");
}

TEST(NumericTest, DivisionByZeroIs22012) {
  EXPECT_EQ(Str(N("1").Div(N("0"))), "error 22012");
  EXPECT_EQ(Str(N("1").Div(N("0.000"))), "error 22012");
  EXPECT_EQ(Str(N("1").Mod(N("0"))), "error 22012");
}

TEST(NumericTest, OverflowIs22003) {
  Numeric big = N(std::string(38, '9'));
  EXPECT_EQ(Str(big.Add(N("1"))), "error 22003");
  EXPECT_EQ(Str(big.Negate().Sub(N("1"))), "error 22003");
  EXPECT_EQ(Str(big.Mul(N("10"))), "error 22003");
  EXPECT_EQ(Str(N("1" + std::string(20, '0')).Mul(N("1" + std::string(20, '0')))), "error 22003");
  EXPECT_EQ(Str(big.Add(N("0.5"))), "error 22003");  // aligning the scales overflows
}

TEST(NumericTest, RescaleRoundsHalfAwayFromZero) {
  EXPECT_EQ(Str(N("2.5").Rescale(0)), "3");
  EXPECT_EQ(Str(N("-2.5").Rescale(0)), "-3");
  EXPECT_EQ(Str(N("2.49").Rescale(0)), "2");
  EXPECT_EQ(Str(N("-2.49").Rescale(0)), "-2");
  EXPECT_EQ(Str(N("0.125").Rescale(2)), "0.13");
  EXPECT_EQ(Str(N("-0.125").Rescale(2)), "-0.13");
  EXPECT_EQ(Str(N("0.124").Rescale(2)), "0.12");
  EXPECT_EQ(Str(N("9.995").Rescale(2)), "10.00");
  EXPECT_EQ(Str(N("1.5").Rescale(3)), "1.500");
}

TEST(NumericTest, ToInt64Rounds) {
  EXPECT_EQ(*N("2.5").ToInt64(), 3);
  EXPECT_EQ(*N("-2.5").ToInt64(), -3);
  EXPECT_EQ(*N("2.4").ToInt64(), 2);
  EXPECT_EQ(*N("9223372036854775807").ToInt64(), INT64_MAX);
  EXPECT_EQ(*N("-9223372036854775808").ToInt64(), INT64_MIN);
  auto over = N("9223372036854775808").ToInt64();
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(SqlState(over.status()), "22003");
}

TEST(NumericTest, CoerceToPrecisionAndScale) {
  EXPECT_EQ(Str(N("123.456").Coerce(5, 2)), "123.46");
  EXPECT_EQ(Str(N("-123.455").Coerce(5, 2)), "-123.46");
  EXPECT_EQ(Str(N("1").Coerce(5, 2)), "1.00");
  EXPECT_EQ(Str(N("999.99").Coerce(5, 2)), "999.99");
  EXPECT_EQ(Str(N("999.995").Coerce(5, 2)), "error 22003");  // rounds to 1000.00
  EXPECT_EQ(Str(N("12345.6").Coerce(5, 2)), "error 22003");
  EXPECT_EQ(Str(N("999.4").Coerce(3, 0)), "999");
  EXPECT_EQ(Str(N("999.5").Coerce(3, 0)), "error 22003");
  EXPECT_EQ(Str(N("0.5").Coerce(2, 2)), "0.50");
  EXPECT_EQ(Str(N("123.456").Coerce(-1, -1)), "123.456");  // unconstrained NUMERIC
}

TEST(NumericTest, CompareAndNormalize) {
  EXPECT_EQ(N("1.50").Compare(N("1.5")), 0);
  EXPECT_LT(N("-1").Compare(N("0.5")), 0);
  EXPECT_GT(N("0.0001").Compare(N("0")), 0);
  EXPECT_LT(N("-0.0001").Compare(N("0")), 0);
  EXPECT_GT(N(std::string(38, '9')).Compare(N("0." + std::string(30, '1'))), 0);

  Numeric n = N("1.500").Normalize();
  EXPECT_EQ(n.unscaled, 15);
  EXPECT_EQ(n.scale, 1);
  Numeric z = N("0.000").Normalize();
  EXPECT_EQ(z.unscaled, 0);
  EXPECT_EQ(z.scale, 0);
  EXPECT_EQ(N("100").Normalize().ToString(), "100");  // integer digits stay
}

TEST(NumericTest, FromDoubleAndToDouble) {
  EXPECT_EQ(Str(Numeric::FromDouble(1.5)), "1.5");
  EXPECT_EQ(Str(Numeric::FromDouble(0.1)), "0.1");
  EXPECT_EQ(Str(Numeric::FromDouble(-250)), "-250");
  auto inf = Numeric::FromDouble(std::numeric_limits<double>::infinity());
  ASSERT_FALSE(inf.ok());
  EXPECT_EQ(SqlState(inf.status()), "22023");
  EXPECT_EQ(N("2.25").ToDouble(), 2.25);
  EXPECT_EQ(N("-0.5").ToDouble(), -0.5);
}

// PostgreSQL's division keeps at least 16 significant digits (select_div_scale
// in numeric.c): SELECT 1::numeric / 3 is 0.33333333333333333333 and
// SELECT 10::numeric / 4 is 2.5000000000000000. numeric.h promises the same.
TEST(NumericTest, DivisionScaleFollowsPostgres) {
  EXPECT_EQ(Str(N("1").Div(N("3"))), "0.33333333333333333333");
  EXPECT_EQ(Str(N("2").Div(N("3"))), "0.66666666666666666667");
  EXPECT_EQ(Str(N("10").Div(N("4"))), "2.5000000000000000");
  EXPECT_EQ(Str(N("1.00").Div(N("3"))), "0.33333333333333333333");
  // A large divisor needs more fraction digits for 16 significant ones.
  EXPECT_EQ(Str(N("1").Div(N("3000000"))), "0.000000" + std::string(18, '3'));
}

// Properties over random values: a + b - b == a, a * 1 == a, compare is
// antisymmetric and agrees with subtraction, formatting round-trips.
TEST(NumericTest, RandomArithmeticProperties) {
  const uint64_t seed = TestSeed(7);
  SCOPED_TRACE(SeedTrace(seed));
  std::mt19937_64 rng(seed);
  auto random_numeric = [&] {
    int64_t unscaled = static_cast<int64_t>(rng() % 2000000001) - 1000000000;
    int16_t scale = static_cast<int16_t>(rng() % 7);
    return Numeric{unscaled, scale};
  };
  for (int i = 0; i < 2000; ++i) {
    Numeric a = random_numeric(), b = random_numeric();
    SCOPED_TRACE(a.ToString() + " , " + b.ToString());
    auto parsed = Numeric::Parse(a.ToString());
    ASSERT_TRUE(parsed.ok());
    ASSERT_EQ(parsed->Compare(a), 0);
    ASSERT_EQ(parsed->scale, a.scale);

    auto sum = a.Add(b);
    ASSERT_TRUE(sum.ok());
    auto back = sum->Sub(b);
    ASSERT_TRUE(back.ok());
    ASSERT_EQ(back->Compare(a), 0);

    auto diff = a.Sub(b);
    ASSERT_TRUE(diff.ok());
    int sign = diff->unscaled < 0 ? -1 : (diff->unscaled > 0 ? 1 : 0);
    ASSERT_EQ(a.Compare(b), sign);
    ASSERT_EQ(b.Compare(a), -sign);

    auto prod = a.Mul(Numeric::FromInt(1));
    ASSERT_TRUE(prod.ok());
    ASSERT_EQ(prod->Compare(a), 0);
  }
}

// The same promise over random operands: a quotient carries at least 16
// significant digits, so its relative error stays within 5e-16
// (plus a little for the conversions to double in the check).
TEST(NumericTest, RandomDivisionKeepsSixteenSignificantDigits) {
  const uint64_t seed = TestSeed(11);
  SCOPED_TRACE(SeedTrace(seed));
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 2000; ++i) {
    auto random_numeric = [&] {
      return Numeric{static_cast<int64_t>(rng() % 2000000001) - 1000000000,
                     static_cast<int16_t>(rng() % 7)};
    };
    Numeric a = random_numeric(), b = random_numeric();
    if (a.unscaled == 0 || b.unscaled == 0) continue;
    auto q = a.Div(b);
    ASSERT_TRUE(q.ok()) << q.status();
    long double expect = static_cast<long double>(a.ToDouble()) / b.ToDouble();
    long double got = static_cast<long double>(q->ToDouble());
    ASSERT_LE(std::abs(got - expect), std::abs(expect) * 2e-15L)
        << a.ToString() << " / " << b.ToString() << " = " << q->ToString();
  }
}

}  // namespace
}  // namespace cairn
