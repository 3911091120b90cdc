// MVCC garbage collection seen from a client: with gc.ttl_seconds small,
// old versions are removed and a historical read older than the GC
// threshold is refused (72000), while the present is untouched. (That an
// open transaction's snapshot is kept is tests/kv/gc_queue_test.cc.)

#include <chrono>
#include <memory>
#include <thread>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "cairn_process.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pg_client.h"

namespace cairn::e2e {
namespace {

using ::cairn::testing::NodeTest;
using ::testing::ElementsAre;

class GcTest : public NodeTest {
 protected:
  void SetUp() override {
    NodeTest::SetUp();
    if (HasFatalFailure()) return;
    a_ = std::make_unique<PgConn>(node_.Dsn());
    b_ = std::make_unique<PgConn>(node_.Dsn());
    ASSERT_TRUE(a_->ok() && b_->ok());
  }

  static std::vector<std::string> RowsOf(PgConn& c, const std::string& sql) {
    QueryResult r = c.Exec(sql);
    EXPECT_TRUE(r.ok) << sql << ": " << r.sqlstate << " " << r.message;
    return Rows(r);
  }

  double RemovedVersions() {
    std::string body;
    if (node_.HttpGet("/metrics", &body) != 200) return -1;
    const std::string name = "cairn_gc_versions_removed_total ";
    const size_t at = body.find("\n" + name);
    double value = 0;
    if (at == std::string::npos) return 0;
    const size_t end = body.find('\n', at + 1);
    absl::SimpleAtod(body.substr(at + 1 + name.size(), end - at - 1 - name.size()), &value);
    return value;
  }

  std::unique_ptr<PgConn> a_;
  std::unique_ptr<PgConn> b_;
};

TEST_F(GcTest, OldVersionsGoAndReadsBelowTheThresholdAreRefused) {
  RowsOf(*a_, "SET CLUSTER SETTING gc.ttl_seconds = 1");
  RowsOf(*a_, "CREATE TABLE g (k INT PRIMARY KEY, v TEXT)");
  RowsOf(*a_, "INSERT INTO g VALUES (1, 'v0')");
  const std::string before_updates = RowsOf(*a_, "SELECT now()::text").at(0);
  for (int i = 1; i <= 5; ++i) {
    RowsOf(*a_, "UPDATE g SET v = 'v" + std::to_string(i) + "' WHERE k = 1");
  }
  // The GC queue runs each second; the threshold passes before_updates
  // once that is older than the TTL and two heartbeats.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  QueryResult old_read;
  do {
    old_read = a_->Exec("SELECT v FROM g AS OF SYSTEM TIME '" + before_updates + "'");
    if (!old_read.ok) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the poll interval
  } while (std::chrono::steady_clock::now() < deadline);
  EXPECT_EQ(old_read.sqlstate, "72000") << "a read below the GC threshold: " << old_read.message;
  EXPECT_GT(RemovedVersions(), 0) << "no version was removed";
  EXPECT_THAT(RowsOf(*a_, "SELECT v FROM g WHERE k = 1"), ElementsAre("v5"));
  EXPECT_THAT(RowsOf(*b_, "SELECT v FROM g AS OF SYSTEM TIME '-0s' WHERE k = 1"),
              ElementsAre("v5"));
}

}  // namespace
}  // namespace cairn::e2e
