// SELECT ... AS OF SYSTEM TIME: a read of the whole database as it was at
// a past time, given as a timestamp or as an interval back from now; the
// present is untouched, and the clause is refused where it cannot mean a
// read of the past (the future, a transaction block, a write).

#include <memory>
#include <string>
#include <vector>

#include "cairn_process.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pg_client.h"

namespace cairn::e2e {
namespace {

using ::cairn::testing::NodeTest;
using ::testing::ElementsAre;

class HistoricalReadTest : public NodeTest {
 protected:
  void SetUp() override {
    NodeTest::SetUp();
    if (HasFatalFailure()) return;
    conn_ = std::make_unique<PgConn>(node_.Dsn());
    ASSERT_TRUE(conn_->ok()) << conn_->error();
  }

  std::vector<std::string> RowsOf(const std::string& sql) {
    QueryResult r = conn_->Exec(sql);
    EXPECT_TRUE(r.ok) << sql << ": " << r.sqlstate << " " << r.message;
    return Rows(r);
  }

  // The server's clock, then a wait (polling it) until it has moved past
  // that instant: whatever is written next is later than the time returned.
  std::string MarkTime() {
    const std::string mark = RowsOf("SELECT now()::text").at(0);
    for (;;) {
      const std::vector<std::string> later =
          RowsOf("SELECT clock_timestamp() > '" + mark + "'::timestamptz + interval '2 ms'");
      if (later.at(0) == "t") return mark;
    }
  }

  std::unique_ptr<PgConn> conn_;
};

TEST_F(HistoricalReadTest, ReadsTheDatabaseAsItWasAtATimestamp) {
  RowsOf("CREATE TABLE h (k INT PRIMARY KEY, v TEXT)");
  RowsOf("INSERT INTO h VALUES (1, 'first')");
  const std::string before_update = MarkTime();
  RowsOf("UPDATE h SET v = 'second' WHERE k = 1");
  RowsOf("INSERT INTO h VALUES (2, 'later')");

  EXPECT_THAT(RowsOf("SELECT k, v FROM h ORDER BY k"), ElementsAre("1|second", "2|later"));
  EXPECT_THAT(RowsOf("SELECT k, v FROM h AS OF SYSTEM TIME '" + before_update + "' ORDER BY k"),
              ElementsAre("1|first"));
  EXPECT_THAT(RowsOf("SELECT v FROM h AS OF SYSTEM TIME '" + before_update + "' WHERE k = 1"),
              ElementsAre("first"));
  // An interval back from now: just now, everything is there.
  EXPECT_THAT(RowsOf("SELECT count(*) FROM h AS OF SYSTEM TIME '-0s'"), ElementsAre("2"));
}

TEST_F(HistoricalReadTest, BeforeATableExistedItIsNotThere) {
  const std::string before_create = MarkTime();
  RowsOf("CREATE TABLE young (k INT PRIMARY KEY)");
  QueryResult r = conn_->Exec("SELECT * FROM young AS OF SYSTEM TIME '" + before_create + "'");
  EXPECT_EQ(r.sqlstate, "42P01") << r.message;
}

TEST_F(HistoricalReadTest, RefusedWhereItCannotBeAReadOfThePast) {
  RowsOf("CREATE TABLE h (k INT PRIMARY KEY)");
  EXPECT_EQ(conn_->Exec("SELECT * FROM h AS OF SYSTEM TIME '+10s'").sqlstate, "22023");
  EXPECT_EQ(conn_->Exec("SELECT * FROM h AS OF SYSTEM TIME 'soon'").sqlstate, "22023");
  EXPECT_EQ(conn_->Exec("INSERT INTO h SELECT k FROM h AS OF SYSTEM TIME '-1s'").sqlstate,
            "0A000");
  ASSERT_TRUE(conn_->Exec("BEGIN").ok);
  EXPECT_EQ(conn_->Exec("SELECT * FROM h AS OF SYSTEM TIME '-1s'").sqlstate, "25001");
  ASSERT_TRUE(conn_->Exec("ROLLBACK").ok);
}

}  // namespace
}  // namespace cairn::e2e
