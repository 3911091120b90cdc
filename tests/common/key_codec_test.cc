#include "common/key_codec.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "common/error_code.h"
#include "test_seed.h"

namespace cairn::key_codec {
namespace {

using cairn::testing::SeedTrace;
using cairn::testing::TestSeed;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

int Sign(int c) { return c < 0 ? -1 : (c > 0 ? 1 : 0); }

// Bytewise comparison, as the engines order keys.
int CompareBytes(const std::string& a, const std::string& b) { return Sign(a.compare(b)); }

template <typename T>
int CompareModel(T a, T b) {
  return a < b ? -1 : (a > b ? 1 : 0);
}

// The SQL order of doubles: NaN above everything, -0.0 equal to 0.0.
int CompareDoubleModel(double a, double b) {
  bool an = std::isnan(a), bn = std::isnan(b);
  if (an || bn) return an == bn ? 0 : (an ? 1 : -1);
  return CompareModel(a, b);
}

std::string EncInt64(int64_t v) {
  std::string s;
  AppendInt64(&s, v);
  return s;
}
std::string EncInt32(int32_t v) {
  std::string s;
  AppendInt32(&s, v);
  return s;
}
std::string EncUint64(uint64_t v) {
  std::string s;
  AppendUint64(&s, v);
  return s;
}
std::string EncDouble(double v) {
  std::string s;
  AppendDouble(&s, v);
  return s;
}
std::string EncBytes(std::string_view v) {
  std::string s;
  AppendBytes(&s, v);
  return s;
}
std::string Desc(std::string enc) {
  InvertFrom(&enc, 0);
  return enc;
}

// Checks, for every pair, that the encodings compare as the model says:
// the same as "std::sort the values, bytewise-sort the encodings, compare".
template <typename T, typename Enc, typename Model>
void ExpectOrderPreserved(const std::vector<T>& values, Enc enc, Model model) {
  std::vector<std::string> encoded;
  for (const T& v : values) encoded.push_back(enc(v));
  for (size_t i = 0; i < values.size(); ++i) {
    for (size_t j = 0; j < values.size(); ++j) {
      ASSERT_EQ(model(values[i], values[j]), CompareBytes(encoded[i], encoded[j]))
          << "values #" << i << " and #" << j << ": " << ::testing::PrintToString(values[i])
          << " vs " << ::testing::PrintToString(values[j]);
    }
  }
}

// Sorting the values and sorting their encodings give the same sequence.
template <typename T, typename Enc, typename Less, typename Eq>
void ExpectSameSort(std::vector<T> values, Enc enc, Less less, Eq eq) {
  std::vector<std::string> encoded;
  for (const T& v : values) encoded.push_back(enc(v));
  std::sort(values.begin(), values.end(), less);
  std::sort(encoded.begin(), encoded.end());
  ASSERT_EQ(values.size(), encoded.size());
  for (size_t i = 0; i < values.size(); ++i) {
    // Equal values may encode alike; the sorted encodings must be those of
    // the sorted values.
    std::string e = enc(values[i]);
    ASSERT_EQ(e, encoded[i]) << "position " << i << ": " << ::testing::PrintToString(values[i]);
    if (i > 0 && !eq(values[i - 1], values[i])) {
      ASSERT_LT(encoded[i - 1], encoded[i]);
    }
  }
}

TEST(KeyCodecTest, Int64RoundTripAndOrder) {
  std::vector<int64_t> values = {std::numeric_limits<int64_t>::min(),
                                 std::numeric_limits<int64_t>::min() + 1,
                                 -4294967296,
                                 -256,
                                 -255,
                                 -1,
                                 0,
                                 1,
                                 255,
                                 256,
                                 4294967296,
                                 std::numeric_limits<int64_t>::max() - 1,
                                 std::numeric_limits<int64_t>::max()};
  for (int64_t v : values) {
    std::string enc = EncInt64(v);
    ASSERT_EQ(enc.size(), 8u);
    std::string_view in = enc;
    auto got = DecodeInt64(&in);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, v);
    EXPECT_TRUE(in.empty());
  }
  ExpectOrderPreserved(values, EncInt64, CompareModel<int64_t>);
}

TEST(KeyCodecTest, Int32RoundTripAndOrder) {
  std::vector<int32_t> values = {std::numeric_limits<int32_t>::min(), -65536, -1, 0, 1, 65536,
                                 std::numeric_limits<int32_t>::max()};
  for (int32_t v : values) {
    std::string enc = EncInt32(v);
    ASSERT_EQ(enc.size(), 4u);
    std::string_view in = enc;
    auto got = DecodeInt32(&in);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, v);
  }
  ExpectOrderPreserved(values, EncInt32, CompareModel<int32_t>);
}

TEST(KeyCodecTest, UnsignedRoundTripAndOrder) {
  std::vector<uint64_t> values = {0, 1, 255, 256, 1ull << 32, (1ull << 63) - 1, 1ull << 63,
                                  ~0ull};
  for (uint64_t v : values) {
    std::string enc = EncUint64(v);
    std::string_view in = enc;
    auto got = DecodeUint64(&in);
    ASSERT_TRUE(got.ok());
    EXPECT_EQ(*got, v);
  }
  ExpectOrderPreserved(values, EncUint64, CompareModel<uint64_t>);

  std::string s;
  AppendUint32(&s, 0x01020304u);
  EXPECT_EQ(s, std::string("\x01\x02\x03\x04", 4));  // big-endian
  std::string_view in = s;
  EXPECT_EQ(*DecodeUint32(&in), 0x01020304u);
}

TEST(KeyCodecTest, DoubleRoundTripAndOrder) {
  std::vector<double> values = {-kInf,
                                -std::numeric_limits<double>::max(),
                                -1e300,
                                -2.5,
                                -1.0,
                                -std::numeric_limits<double>::min(),
                                -std::numeric_limits<double>::denorm_min(),
                                -0.0,
                                0.0,
                                std::numeric_limits<double>::denorm_min(),
                                std::numeric_limits<double>::min(),
                                1.0,
                                2.5,
                                1e300,
                                std::numeric_limits<double>::max(),
                                kInf,
                                kNaN};
  for (double v : values) {
    std::string enc = EncDouble(v);
    ASSERT_EQ(enc.size(), 8u);
    std::string_view in = enc;
    auto got = DecodeDouble(&in);
    ASSERT_TRUE(got.ok());
    if (std::isnan(v)) {
      EXPECT_TRUE(std::isnan(*got));
    } else {
      EXPECT_EQ(*got, v);
    }
  }
  ExpectOrderPreserved(values, EncDouble, CompareDoubleModel);
}

TEST(KeyCodecTest, NegativeZeroEncodesLikeZero) {
  EXPECT_EQ(EncDouble(-0.0), EncDouble(0.0));
}

// Regression: a NaN with its sign bit set (x86 produces one for 0.0/0.0,
// and -NaN is a legal bit pattern anyway) encoded below -Infinity, so NaN
// did not always sort last, and NaNs with different bits encoded
// differently although SQL treats every NaN as one value.
TEST(KeyCodecTest, EveryNaNSortsLastAndEncodesAlike) {
  volatile double zero = 0.0;
  std::vector<double> nans = {kNaN, -kNaN, zero / zero,
                              std::bit_cast<double>(uint64_t{0x7ff0000000000001}),
                              std::bit_cast<double>(uint64_t{0xfff0000000000001}),
                              std::bit_cast<double>(uint64_t{0xffffffffffffffff})};
  for (double nan : nans) {
    ASSERT_TRUE(std::isnan(nan));
    SCOPED_TRACE(::testing::Message() << "NaN bits " << std::hex
                                      << std::bit_cast<uint64_t>(nan));
    EXPECT_GT(EncDouble(nan), EncDouble(kInf));
    EXPECT_EQ(EncDouble(nan), EncDouble(kNaN));
  }
}

TEST(KeyCodecTest, BytesRoundTripWithEmbeddedZerosAndFF) {
  std::vector<std::string> values = {"",
                                     std::string(1, '\0'),
                                     std::string(2, '\0'),
                                     std::string("\x00\x01", 2),
                                     std::string("\x00\xff", 2),
                                     "\xff",
                                     "\xff\xff",
                                     std::string("a\0b", 3),
                                     "hello",
                                     std::string("\x00\x01\x00\xff\x01", 5)};
  for (const std::string& v : values) {
    std::string enc = EncBytes(v);
    enc += "trailer";  // decoding stops at the terminator
    std::string_view in = enc;
    auto got = DecodeBytes(&in);
    ASSERT_TRUE(got.ok()) << got.status();
    EXPECT_EQ(*got, v);
    EXPECT_EQ(in, "trailer");
  }
  ExpectOrderPreserved(values, EncBytes,
                       [](const std::string& a, const std::string& b) {
                         return Sign(a.compare(b));
                       });
}

TEST(KeyCodecTest, BytesEncodingIsNeverAPrefixOfAnother) {
  // "a" < "a\0" < "a\0\0" < "a\x01" < "ab": prefixes must sort first even
  // when the longer value continues with 0x00.
  std::vector<std::string> values = {"a", std::string("a\0", 2), std::string("a\0\0", 3),
                                     "a\x01", "ab", "b"};
  for (size_t i = 0; i + 1 < values.size(); ++i) {
    std::string x = EncBytes(values[i]), y = EncBytes(values[i + 1]);
    EXPECT_LT(x, y) << i;
    EXPECT_NE(y.compare(0, x.size(), x), 0) << "encoding " << i << " is a prefix of " << i + 1;
  }
}

TEST(KeyCodecTest, DecodeErrorsAreDataCorrupted) {
  std::string_view short_in("\x01\x02\x03", 3);
  auto a = DecodeUint64(&short_in);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(GetErrorCode(a.status()), ErrorCode::kDataCorrupted);
  EXPECT_EQ(short_in.size(), 3u);  // nothing consumed on failure

  std::string_view unterminated("abc");
  EXPECT_EQ(GetErrorCode(DecodeBytes(&unterminated).status()), ErrorCode::kDataCorrupted);

  std::string_view dangling("abc\0", 4);
  EXPECT_EQ(GetErrorCode(DecodeBytes(&dangling).status()), ErrorCode::kDataCorrupted);

  std::string_view bad_escape("ab\0\x02", 4);
  EXPECT_EQ(GetErrorCode(DecodeBytes(&bad_escape).status()), ErrorCode::kDataCorrupted);

  std::string_view short32("\x01", 1);
  EXPECT_FALSE(DecodeInt32(&short32).ok());
  std::string_view short_double("", 0);
  EXPECT_FALSE(DecodeDouble(&short_double).ok());
}

TEST(KeyCodecTest, InvertFromReversesOrderAndRoundTrips) {
  std::vector<int64_t> ints = {std::numeric_limits<int64_t>::min(), -5, 0, 7,
                               std::numeric_limits<int64_t>::max()};
  ExpectOrderPreserved(ints, [](int64_t v) { return Desc(EncInt64(v)); },
                       [](int64_t a, int64_t b) { return -CompareModel(a, b); });

  std::vector<std::string> strings = {"", std::string(1, '\0'), "a", std::string("a\0", 2), "ab",
                                      "b", "\xff"};
  ExpectOrderPreserved(strings, [](const std::string& v) { return Desc(EncBytes(v)); },
                       [](const std::string& a, const std::string& b) {
                         return -Sign(a.compare(b));
                       });

  // Only the bytes from `from` on are inverted; inverting twice restores.
  std::string key = "prefix";
  size_t from = key.size();
  AppendBytes(&key, std::string("x\0y", 3));
  std::string original = key;
  InvertFrom(&key, from);
  EXPECT_EQ(key.substr(0, from), "prefix");
  EXPECT_NE(key, original);
  InvertFrom(&key, from);
  EXPECT_EQ(key, original);
}

TEST(KeyCodecTest, PrefixEnd) {
  EXPECT_EQ(PrefixEnd("abc"), "abd");
  EXPECT_EQ(PrefixEnd("ab\xff"), "ac");
  EXPECT_EQ(PrefixEnd("a\xff\xff"), "b");
  EXPECT_EQ(PrefixEnd(std::string("\x00", 1)), "\x01");
  EXPECT_EQ(PrefixEnd("\xff\xff"), "");
  EXPECT_EQ(PrefixEnd(""), "");
}

TEST(KeyCodecTest, PrettyKey) {
  EXPECT_EQ(PrettyKey(std::string("ab\0\\\xff", 5)), "ab\\x00\\x5c\\xff");
  EXPECT_EQ(PrettyKey("/t 1"), "/t 1");
}

// --- Property tests against naive models ---------------------------------

class KeyCodecPropertyTest : public ::testing::Test {
 protected:
  void SetUp() override { rng_.seed(seed_); }

  const uint64_t seed_ = TestSeed(20240611);
  std::mt19937_64 rng_;
};

TEST_F(KeyCodecPropertyTest, RandomInt64) {
  SCOPED_TRACE(SeedTrace(seed_));
  std::vector<int64_t> values;
  for (int i = 0; i < 2000; ++i) {
    switch (rng_() % 3) {
      case 0: values.push_back(static_cast<int64_t>(rng_())); break;        // anything
      case 1: values.push_back(static_cast<int64_t>(rng_() % 200) - 100); break;  // near 0
      default: values.push_back(static_cast<int32_t>(rng_()));                // 32-bit range
    }
  }
  for (int64_t v : values) {
    std::string e = EncInt64(v);
    std::string_view in = e;
    ASSERT_EQ(*DecodeInt64(&in), v);
  }
  ExpectSameSort(values, EncInt64, std::less<int64_t>(), std::equal_to<int64_t>());
  ExpectSameSort(values, [](int64_t v) { return Desc(EncInt64(v)); }, std::greater<int64_t>(),
                 std::equal_to<int64_t>());
}

TEST_F(KeyCodecPropertyTest, RandomInt32AndUint64) {
  SCOPED_TRACE(SeedTrace(seed_));
  std::vector<int32_t> ints;
  std::vector<uint64_t> uints;
  for (int i = 0; i < 2000; ++i) {
    ints.push_back(static_cast<int32_t>(rng_()));
    uints.push_back(rng_() >> (rng_() % 64));
  }
  for (int32_t v : ints) {
    std::string e = EncInt32(v);
    std::string_view in = e;
    ASSERT_EQ(*DecodeInt32(&in), v);
  }
  ExpectSameSort(ints, EncInt32, std::less<int32_t>(), std::equal_to<int32_t>());
  ExpectSameSort(uints, EncUint64, std::less<uint64_t>(), std::equal_to<uint64_t>());
}

TEST_F(KeyCodecPropertyTest, RandomDoubles) {
  SCOPED_TRACE(SeedTrace(seed_));
  const double specials[] = {0.0, -0.0, kInf, -kInf, kNaN, -kNaN, 1.0, -1.0,
                             std::numeric_limits<double>::denorm_min()};
  std::vector<double> values;
  for (int i = 0; i < 2000; ++i) {
    switch (rng_() % 4) {
      case 0: values.push_back(specials[rng_() % std::size(specials)]); break;
      case 1: values.push_back(std::bit_cast<double>(rng_())); break;  // any bits, NaNs too
      case 2: values.push_back(static_cast<double>(static_cast<int64_t>(rng_() % 2001) - 1000) / 8);
        break;
      default:
        values.push_back(std::ldexp(static_cast<double>(rng_() % 1000000) - 500000,
                                    static_cast<int>(rng_() % 200) - 100));
    }
  }
  for (double v : values) {
    std::string e = EncDouble(v);
    std::string_view in = e;
    double got = *DecodeDouble(&in);
    if (std::isnan(v)) {
      ASSERT_TRUE(std::isnan(got));
    } else {
      ASSERT_EQ(got, v);
    }
  }
  // Pairwise against the model on a subset (quadratic), sort on all.
  std::vector<double> subset(values.begin(), values.begin() + 300);
  ExpectOrderPreserved(subset, EncDouble, CompareDoubleModel);
  ExpectSameSort(
      values, EncDouble, [](double a, double b) { return CompareDoubleModel(a, b) < 0; },
      [](double a, double b) { return CompareDoubleModel(a, b) == 0; });
}

TEST_F(KeyCodecPropertyTest, RandomBytes) {
  SCOPED_TRACE(SeedTrace(seed_));
  // A small alphabet rich in the bytes the escaping treats specially, and
  // short lengths, so that shared prefixes and duplicates are common.
  const char alphabet[] = {'\x00', '\x01', '\xfe', '\xff', 'a'};
  std::vector<std::string> values;
  for (int i = 0; i < 2000; ++i) {
    std::string s;
    size_t len = rng_() % 7;
    for (size_t j = 0; j < len; ++j) s.push_back(alphabet[rng_() % std::size(alphabet)]);
    values.push_back(std::move(s));
  }
  for (const std::string& v : values) {
    std::string e = EncBytes(v);
    std::string_view in = e;
    ASSERT_EQ(*DecodeBytes(&in), v);
    ASSERT_TRUE(in.empty());
  }
  std::vector<std::string> subset(values.begin(), values.begin() + 300);
  ExpectOrderPreserved(subset, EncBytes, [](const std::string& a, const std::string& b) {
    return Sign(a.compare(b));
  });
  ExpectSameSort(values, EncBytes, std::less<std::string>(), std::equal_to<std::string>());
  ExpectSameSort(values, [](const std::string& v) { return Desc(EncBytes(v)); },
                 std::greater<std::string>(), std::equal_to<std::string>());
}

// Composite keys (what catalog/ builds): (int64 ASC, bytes DESC, double ASC)
// compared as tuples must compare bytewise once encoded field after field.
TEST_F(KeyCodecPropertyTest, RandomCompositeKeysWithDescendingColumn) {
  SCOPED_TRACE(SeedTrace(seed_));
  using Key = std::tuple<int64_t, std::string, double>;
  const char alphabet[] = {'\x00', '\x01', '\xff', 'a'};
  std::vector<Key> keys;
  for (int i = 0; i < 400; ++i) {
    std::string s;
    size_t len = rng_() % 4;
    for (size_t j = 0; j < len; ++j) s.push_back(alphabet[rng_() % std::size(alphabet)]);
    double d = static_cast<double>(static_cast<int64_t>(rng_() % 7) - 3) / 2;
    keys.emplace_back(static_cast<int64_t>(rng_() % 5) - 2, std::move(s), d);
  }
  auto encode = [](const Key& k) {
    std::string out;
    AppendInt64(&out, std::get<0>(k));
    size_t from = out.size();
    AppendBytes(&out, std::get<1>(k));
    InvertFrom(&out, from);
    AppendDouble(&out, std::get<2>(k));
    return out;
  };
  auto model = [](const Key& a, const Key& b) {
    if (int c = CompareModel(std::get<0>(a), std::get<0>(b))) return c;
    if (int c = -Sign(std::get<1>(a).compare(std::get<1>(b)))) return c;
    return CompareDoubleModel(std::get<2>(a), std::get<2>(b));
  };
  ExpectOrderPreserved(keys, encode, model);

  // And every field decodes back from the composite key.
  for (const Key& k : keys) {
    std::string enc = encode(k);
    std::string_view in = enc;
    ASSERT_EQ(*DecodeInt64(&in), std::get<0>(k));
    std::string rest(in);
    InvertFrom(&rest, 0);  // undo DESC for the decoder (it stops at its terminator)
    std::string_view rin = rest;
    ASSERT_EQ(*DecodeBytes(&rin), std::get<1>(k));
    std::string tail(rin);
    InvertFrom(&tail, 0);  // the double was not inverted: restore it
    std::string_view tin = tail;
    ASSERT_EQ(*DecodeDouble(&tin), std::get<2>(k));
  }
}

TEST_F(KeyCodecPropertyTest, RandomPrefixEnd) {
  SCOPED_TRACE(SeedTrace(seed_));
  const char alphabet[] = {'\x00', '\x7f', '\xfe', '\xff'};
  auto random_string = [&](size_t max_len) {
    std::string s;
    size_t len = rng_() % (max_len + 1);
    for (size_t j = 0; j < len; ++j) s.push_back(alphabet[rng_() % std::size(alphabet)]);
    return s;
  };
  for (int i = 0; i < 3000; ++i) {
    std::string prefix = random_string(3);
    std::string key = random_string(5);
    std::string end = PrefixEnd(prefix);
    bool has_prefix = key.compare(0, prefix.size(), prefix) == 0 && key.size() >= prefix.size();
    // [prefix, end) is exactly the set of keys that start with prefix.
    bool in_span = key >= prefix && (end.empty() || key < end);
    ASSERT_EQ(has_prefix, in_span) << "prefix " << PrettyKey(prefix) << " key " << PrettyKey(key)
                                   << " end " << PrettyKey(end);
  }
}

}  // namespace
}  // namespace cairn::key_codec
