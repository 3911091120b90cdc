// Aggregation in two steps (Accumulator::PartialState/AddPartial): partial
// states of random parts merge to what one step over all values gives.

#include "fragment_test_support.h"

namespace cairn::executor {
namespace {

using namespace fragment_test;  // NOLINT: the shared helpers of these tests

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

}  // namespace
}  // namespace cairn::executor
