#include "catalog/row_codec.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "common/interval.h"
#include "test_seed.h"

namespace cairn::catalog {
namespace {

using cairn::testing::SeedTrace;
using cairn::testing::TestSeed;

std::string KeyOf(const Value& v, bool descending = false) {
  std::string key;
  AppendKeyValue(&key, v, descending);
  return key;
}

int Sign(int c) { return c < 0 ? -1 : (c > 0 ? 1 : 0); }

Interval RandomInterval(std::mt19937_64& rng) {
  // Small fields collide in span often ('1 mon' vs '30 days'); large ones
  // reach the limits.
  std::uniform_int_distribution<int> pick(0, 3);
  auto field32 = [&](int32_t small) -> int32_t {
    if (pick(rng) == 0) return static_cast<int32_t>(rng());
    return std::uniform_int_distribution<int32_t>(-small, small)(rng);
  };
  Interval v;
  v.months = field32(3);
  v.days = field32(90);
  v.micros = pick(rng) == 0 ? static_cast<int64_t>(rng())
                            : std::uniform_int_distribution<int64_t>(-3, 3)(rng) * 86400000000LL;
  return v;
}

// Interval keys order as PostgreSQL compares intervals (a month as 30
// days, a day as 24 hours), in both directions, and read back exactly.
TEST(RowCodecTest, IntervalKeysOrderBySpanAndRoundTrip) {
  const uint64_t seed = TestSeed(20261205);
  SCOPED_TRACE(SeedTrace(seed));
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 20000; ++i) {
    const Interval a = RandomInterval(rng), b = RandomInterval(rng);
    const Value va = Value::FromInterval(a), vb = Value::FromInterval(b);
    const int by_span = CompareIntervals(a, b);
    if (by_span != 0) {
      ASSERT_EQ(Sign(KeyOf(va).compare(KeyOf(vb))), by_span)
          << FormatInterval(a) << " vs " << FormatInterval(b);
      ASSERT_EQ(Sign(KeyOf(va, true).compare(KeyOf(vb, true))), -by_span);
    }
    for (bool descending : {false, true}) {
      const std::string key = KeyOf(va, descending) + "rest";
      std::string_view in = key;
      absl::StatusOr<Value> back = DecodeKeyValue(&in, SqlType::Of(TypeId::kInterval), descending);
      ASSERT_TRUE(back.ok()) << back.status();
      ASSERT_EQ(back->interval_value(), a) << FormatInterval(a);
      ASSERT_EQ(in, "rest");
    }
  }
}

TEST(RowCodecTest, NullIntervalKeySortsFirst) {
  const std::string null_key = KeyOf(Value::Null(TypeId::kInterval));
  const std::string smallest =
      KeyOf(Value::FromInterval(Interval{INT32_MIN, INT32_MIN, INT64_MIN}));
  EXPECT_LT(null_key, smallest);
}

}  // namespace
}  // namespace cairn::catalog
