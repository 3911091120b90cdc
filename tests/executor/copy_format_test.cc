#include "executor/copy_format.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "test_seed.h"

namespace cairn::executor {
namespace {

using Fields = std::vector<std::optional<std::string>>;

CopyOptions Options(std::vector<ast::Option> options) {
  auto parsed = CopyOptions::FromAst(options);
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed.ok() ? *parsed : CopyOptions{};
}

std::vector<Fields> ParseAll(const CopyOptions& options, const std::vector<std::string>& chunks) {
  CopyParser parser(options, "COPY t");
  std::vector<CopyRecord> records;
  for (const std::string& chunk : chunks) {
    absl::Status s = parser.Feed(chunk, &records);
    EXPECT_TRUE(s.ok()) << s;
  }
  absl::Status s = parser.Finish(&records);
  EXPECT_TRUE(s.ok()) << s;
  std::vector<Fields> out;
  for (const CopyRecord& r : records) out.push_back(r.fields);
  return out;
}

TEST(CopyFormatTest, TextEscapesAndNulls) {
  const CopyOptions text = Options({});
  EXPECT_EQ(ParseAll(text, {"a\\tb\t\\N\t\\\\N\tx\\y\t\\101\\x42\n"}),
            (std::vector<Fields>{{"a\tb", std::nullopt, "\\N", "xy", "AB"}}));
  EXPECT_EQ(FormatCopyRow({"a\tb\\", std::nullopt, ""}, text), "a\\tb\\\\\t\\N\t\n");
}

TEST(CopyFormatTest, CsvQuotingAndLineNumbers) {
  const CopyOptions csv = Options({{"format", "csv", 0}});
  CopyParser parser(csv, "COPY t");
  std::vector<CopyRecord> records;
  ASSERT_TRUE(parser.Feed("1,\"a\nb\"\n2,\"\"\"\",\n3", &records).ok());
  ASSERT_TRUE(parser.Finish(&records).ok());
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0].fields, (Fields{"1", "a\nb"}));
  EXPECT_EQ(records[1].line, 3);  // the first record took two lines
  EXPECT_EQ(records[1].fields, (Fields{"2", "\"", std::nullopt}));
  EXPECT_EQ(records[2].fields, (Fields{"3"}));
  EXPECT_EQ(FormatCopyRow({"a,b", "", std::nullopt, "q\""}, csv), "\"a,b\",\"\",,\"q\"\"\"\n");
}

// Whatever the values and however the data is cut into CopyData messages,
// formatting rows and parsing them back gives the rows.
TEST(CopyFormatTest, RandomRowsRoundTripThroughAnyChunking) {
  const uint64_t seed = cairn::testing::TestSeed(4242);
  SCOPED_TRACE(cairn::testing::SeedTrace(seed));
  std::mt19937_64 rng(seed);
  const std::string alphabet = "ab,;\t\n\r\\\"'N. x0";
  const std::vector<CopyOptions> formats = {
      Options({}), Options({{"format", "csv", 0}}),
      Options({{"format", "csv", 0}, {"delimiter", ";", 0}, {"null", "NULL", 0}}),
      Options({{"delimiter", ",", 0}})};
  for (int round = 0; round < 300; ++round) {
    const CopyOptions& options = formats[round % formats.size()];
    std::vector<Fields> rows;
    std::string data;
    const int columns = 1 + static_cast<int>(rng() % 4);
    for (int r = 0; r < 1 + static_cast<int>(rng() % 6); ++r) {
      Fields row;
      for (int c = 0; c < columns; ++c) {
        if (rng() % 6 == 0) {
          row.emplace_back(std::nullopt);
          continue;
        }
        std::string v;
        for (int i = static_cast<int>(rng() % 6); i > 0; --i) {
          char ch = alphabet[rng() % alphabet.size()];
          // Text format carries CR only escaped, which FormatCopyRow does;
          // CSV carries it quoted.
          v.push_back(ch);
        }
        // A lone column whose value is empty is an empty line, which CSV
        // reads as NULL and text as the empty string; and PostgreSQL's
        // "\." line ends the data. Avoid both ambiguities.
        if (columns == 1 && (v.empty() || v == "\\.")) v = "x";
        row.emplace_back(v);
      }
      data += FormatCopyRow(row, options);
      rows.push_back(std::move(row));
    }
    std::vector<std::string> chunks;
    for (size_t at = 0; at < data.size();) {
      const size_t n = 1 + rng() % 7;
      chunks.push_back(data.substr(at, n));
      at += n;
    }
    ASSERT_EQ(ParseAll(options, chunks), rows) << "round " << round << " data: " << data;
  }
}

TEST(CopyFormatTest, OptionErrors) {
  EXPECT_EQ(CopyOptions::FromAst({{"format", "binary", 0}}).status().code(),
            absl::StatusCode::kUnimplemented);
  EXPECT_FALSE(CopyOptions::FromAst({{"delimiter", "\n", 0}}).ok());
  EXPECT_FALSE(CopyOptions::FromAst({{"format", "csv", 0}, {"delimiter", "\"", 0}}).ok());
  EXPECT_FALSE(CopyOptions::FromAst({{"escape", "x", 0}}).ok());
}

}  // namespace
}  // namespace cairn::executor
