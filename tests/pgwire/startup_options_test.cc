#include "pgwire/startup_options.h"

#include "common/error_code.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace cairn::pgwire {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Pair;

TEST(StartupOptionsTest, ReadsEveryFormPostgresAccepts) {
  auto settings = ParseStartupOptions(
      "-c statement_timeout=5s  -cwork_mem=64MB\t--enable-pushdown=off -c app.user=x=y");
  ASSERT_TRUE(settings.ok()) << settings.status();
  EXPECT_THAT(*settings, ElementsAre(Pair("statement_timeout", "5s"), Pair("work_mem", "64MB"),
                                     Pair("enable_pushdown", "off"), Pair("app.user", "x=y")));
}

TEST(StartupOptionsTest, BackslashKeepsTheNextCharacter) {
  auto settings = ParseStartupOptions(R"(-c search_path=a\ b -c application_name=back\\slash)");
  ASSERT_TRUE(settings.ok()) << settings.status();
  EXPECT_THAT(*settings,
              ElementsAre(Pair("search_path", "a b"), Pair("application_name", R"(back\slash)")));
}

TEST(StartupOptionsTest, NothingIsNothing) {
  auto settings = ParseStartupOptions("   ");
  ASSERT_TRUE(settings.ok()) << settings.status();
  EXPECT_THAT(*settings, IsEmpty());
}

TEST(StartupOptionsTest, OtherSwitchesAndMissingValuesAre42601) {
  for (const char* options : {"-d 5", "-c", "-c statement_timeout", "--=x", "-c =1", "x=1"}) {
    auto settings = ParseStartupOptions(options);
    ASSERT_FALSE(settings.ok()) << options;
    EXPECT_EQ(GetErrorCode(settings.status()), ErrorCode::kSyntaxError) << options;
  }
}

}  // namespace
}  // namespace cairn::pgwire
