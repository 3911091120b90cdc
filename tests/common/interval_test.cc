#include "common/interval.h"

#include <gtest/gtest.h>

#include <random>

#include "common/error_code.h"
#include "test_seed.h"

namespace cairn {
namespace {

using cairn::testing::SeedTrace;
using cairn::testing::TestSeed;

Interval Parse(std::string_view text, IntervalFields fields = IntervalFields::kAll) {
  absl::StatusOr<Interval> v = ParseInterval(text, fields);
  EXPECT_TRUE(v.ok()) << text << ": " << v.status();
  return v.value_or(Interval{});
}

std::string Code(std::string_view text) {
  return std::string(SqlState(ParseInterval(text).status()));
}

TEST(IntervalTest, ParsesPostgresInputForms) {
  EXPECT_EQ(Parse("1 year 2 mons 3 days 04:05:06.5"),
            (Interval{14, 3, 4 * kMicrosPerHour + 306 * kMicrosPerSecond + 500000}));
  EXPECT_EQ(Parse("-1 day +02:00"), (Interval{0, -1, 2 * kMicrosPerHour}));
  EXPECT_EQ(Parse("1 day ago"), (Interval{0, -1, 0}));
  EXPECT_EQ(Parse("@ 2 hours"), (Interval{0, 0, 2 * kMicrosPerHour}));
  EXPECT_EQ(Parse("1-2"), (Interval{14, 0, 0}));
  EXPECT_EQ(Parse("3 4:05:06"), (Interval{0, 3, 4 * kMicrosPerHour + 306 * kMicrosPerSecond}));
  EXPECT_EQ(Parse("10s"), (Interval{0, 0, 10 * kMicrosPerSecond}));
  EXPECT_EQ(Parse("1h30m"), (Interval{0, 0, 90 * 60 * kMicrosPerSecond}));
  EXPECT_EQ(Parse("1.5 months"), (Interval{1, 15, 0}));
  EXPECT_EQ(Parse("1.5 weeks"), (Interval{0, 10, 12 * kMicrosPerHour}));
  EXPECT_EQ(Parse("P1Y2M3DT4H5M6S"),
            (Interval{14, 3, 4 * kMicrosPerHour + 306 * kMicrosPerSecond}));
  EXPECT_EQ(Parse("P0001-02-03T04:05:06"), Parse("P1Y2M3DT4H5M6S"));
  EXPECT_EQ(Parse("PT0.5S"), (Interval{0, 0, 500000}));
  EXPECT_EQ(Parse("5"), (Interval{0, 0, 5 * kMicrosPerSecond}));
  // A bare number counts in the qualifier's last field; fields below it go.
  EXPECT_EQ(Parse("5", IntervalFields::kDay), (Interval{0, 5, 0}));
  EXPECT_EQ(Parse("1 2:03:04", IntervalFields::kDayToMinute),
            (Interval{0, 1, 2 * kMicrosPerHour + 3 * 60 * kMicrosPerSecond}));
}

TEST(IntervalTest, RejectsBadInputWithPostgresCodes) {
  EXPECT_EQ(Code("abc"), "22007");
  EXPECT_EQ(Code("1 fortnight"), "22007");
  EXPECT_EQ(Code(""), "22007");
  EXPECT_EQ(Code("1 day 1 day"), "22007");
  EXPECT_EQ(Code("1 day ago 2"), "22007");
  EXPECT_EQ(Code("2147483648 days"), "22015");
  EXPECT_EQ(Code("10:61"), "22015");
}

TEST(IntervalTest, FormatsInPostgresStyle) {
  EXPECT_EQ(FormatInterval(Interval{}), "00:00:00");
  EXPECT_EQ(FormatInterval(Interval{14, 3, 4 * kMicrosPerHour + 500000}),
            "1 year 2 mons 3 days 04:00:00.5");
  EXPECT_EQ(FormatInterval(Interval{0, -1, 2 * kMicrosPerHour}), "-1 days +02:00:00");
  EXPECT_EQ(FormatInterval(Interval{-1, 0, 0}), "-1 mons");
  EXPECT_EQ(FormatInterval(Interval{0, 0, -1}), "-00:00:00.000001");
  EXPECT_EQ(FormatInterval(Interval{0, 0, 100 * kMicrosPerHour}), "100:00:00");
}

// Whatever the fields, the output reads back as the same fields.
TEST(IntervalTest, OutputReadsBack) {
  const uint64_t seed = TestSeed(7);
  SCOPED_TRACE(SeedTrace(seed));
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 20000; ++i) {
    Interval v{static_cast<int32_t>(rng()), static_cast<int32_t>(rng()),
               static_cast<int64_t>(rng() >> (rng() % 64))};
    if (rng() % 2) v.micros = -v.micros;
    const std::string text = FormatInterval(v);
    absl::StatusOr<Interval> back = ParseInterval(text);
    ASSERT_TRUE(back.ok()) << text << ": " << back.status();
    ASSERT_EQ(*back, v) << text;
  }
}

TEST(IntervalTest, ComparesBySpan) {
  EXPECT_EQ(CompareIntervals(Parse("1 mon"), Parse("30 days")), 0);
  EXPECT_EQ(CompareIntervals(Parse("1 day"), Parse("24 hours")), 0);
  EXPECT_LT(CompareIntervals(Parse("1 day"), Parse("25 hours")), 0);
  EXPECT_GT(CompareIntervals(Parse("1 year"), Parse("359 days")), 0);
}

TEST(IntervalTest, TimestampArithmeticClampsMonthEnds) {
  constexpr int64_t kDay = kMicrosPerDayForInterval;
  const int64_t jan31 = 19753 * kDay;  // 2024-01-31
  // 2024-01-31 + 1 month = 2024-02-29 (leap year); + 1 month 1 day = 03-01.
  EXPECT_EQ(*AddIntervalToTimestamp(jan31, Parse("1 month")), jan31 + 29 * kDay);
  EXPECT_EQ(*AddIntervalToTimestamp(jan31, Parse("1 month 1 day")), jan31 + 30 * kDay);
  EXPECT_EQ(*AddIntervalToTimestamp(jan31, Parse("-1 month")), jan31 - 31 * kDay);
  EXPECT_FALSE(AddIntervalToTimestamp(INT64_MAX - 10, Parse("1 day")).ok());
  EXPECT_EQ(SubtractTimestamps(jan31 + 26 * kMicrosPerHour, jan31), Parse("1 day 02:00"));
  EXPECT_EQ(TimestampAge(jan31 + 29 * kDay, jan31), Parse("29 days"));
}

TEST(IntervalTest, ScalingCascadesFractions) {
  EXPECT_EQ(*MultiplyInterval(Parse("1 mon"), 1.5), Parse("1 mon 15 days"));
  EXPECT_EQ(*DivideInterval(Parse("1 year"), 5), Parse("2 mons 12 days"));
  EXPECT_EQ(*DivideInterval(Parse("1 day"), 2), Parse("12:00:00"));
  EXPECT_EQ(SqlState(DivideInterval(Parse("1 day"), 0).status()), "22012");
  EXPECT_EQ(SqlState(MultiplyInterval(Parse("1000000 years"), 1e10).status()), "22008");
}

TEST(IntervalTest, Justifies) {
  EXPECT_EQ(JustifyHours(Parse("1 day 25 hours")), Parse("2 days 01:00:00"));
  EXPECT_EQ(JustifyDays(Parse("35 days")), Parse("1 mon 5 days"));
  EXPECT_EQ(JustifyInterval(Parse("1 mon -1 hour")), Parse("29 days 23:00:00"));
}

TEST(IntervalTest, BinaryFormatRoundTrips) {
  const Interval v{-14, 3, -123456789};
  const std::string bytes = EncodeIntervalBinary(v);
  ASSERT_EQ(bytes.size(), 16u);
  EXPECT_EQ(*DecodeIntervalBinary(bytes), v);
  EXPECT_FALSE(DecodeIntervalBinary(bytes.substr(1)).ok());
}

}  // namespace
}  // namespace cairn
