// A leaseholder stopped (SIGSTOP) for longer than its lease, then resumed,
// serves no read from before its pause. Raft counts a lease in ticks, and a
// stopped node does not tick while time passes: counted in ticks, its lease
// would still hold when it wakes up (Replica::UpdateLease runs it in real
// time from the tick its acknowledged heartbeat was sent at). Found by the
// Jepsen bank test (tests/cluster/jepsen_bank_test.cc): a transfer read
// stale balances through such a node and wrote them back over newer ones.

#include <signal.h>

#include <string>
#include <vector>

#include "absl/cleanup/cleanup.h"
#include "absl/strings/str_cat.h"
#include "cluster_fixture.h"
#include "gtest/gtest.h"

namespace cairn::cluster {
namespace {

constexpr int kRounds = 3;
constexpr int kReadsAfterResume = 40;

TEST_F(ClusterTest, ResumedLeaseholderServesNoReadFromBeforeItsPause) {
  ASSERT_TRUE(StartCluster(3));
  ASSERT_TRUE(WaitForReplicatedOn(1, {1, 2, 3}));
  ExecOk(1, "CREATE TABLE reg (k INT PRIMARY KEY, v INT NOT NULL)");
  ExecOk(1, "INSERT INTO reg VALUES (1, 0)");

  for (int round = 1; round <= kRounds; ++round) {
    SCOPED_TRACE(absl::StrCat("round ", round));
    int holder = 0;
    ASSERT_TRUE(WaitFor(
        [&](std::string* state) {
          absl::StatusOr<std::vector<RangeRow>> rows = ShowRanges(1, "reg");
          if (!rows.ok() || rows->size() != 1) {
            *state = rows.ok() ? Describe(*rows) : std::string(rows.status().message());
            return false;
          }
          holder = static_cast<int>(rows->front().lease_holder);
          *state = Describe(*rows);
          return holder > 0;
        },
        std::chrono::seconds(30), "a leaseholder for reg's range"));
    const int writer = holder == 1 ? 2 : 1;
    // Connected before the pause, so that the reads go out the moment the
    // node runs again.
    auto reader = Connect(node(holder).Dsn());
    ASSERT_TRUE(reader->ok()) << reader->error();

    kill(node(holder).pid(), SIGSTOP);
    absl::Cleanup resume = [&] { kill(node(holder).pid(), SIGCONT); };
    // Acknowledged once another node holds the lease: the stopped node's
    // lease has ended by then, in real time.
    QueryResult write = Query(writer, absl::StrCat("UPDATE reg SET v = ", round, " WHERE k = 1"));
    ASSERT_TRUE(write.ok) << write.sqlstate << " " << write.message;
    std::move(resume).Invoke();

    int stale = 0;
    int answered = 0;
    for (int i = 0; i < kReadsAfterResume; ++i) {
      QueryResult read = reader->Exec("SELECT v FROM reg WHERE k = 1");
      if (!read.ok) continue;  // an error is no stale read
      ++answered;
      const std::vector<std::string> rows = Rows(read);
      if (rows != std::vector<std::string>{std::to_string(round)}) {
        ++stale;
        ADD_FAILURE() << "node " << holder << " answered " << (rows.empty() ? "nothing" : rows[0])
                      << " after the write of " << round << " was acknowledged";
      }
    }
    std::printf(
        "[cluster] round %d: node %d stopped while node %d wrote v = %d; after SIGCONT "
        "%d of %d reads through node %d answered, %d stale\n",
        round, holder, writer, round, answered, kReadsAfterResume, holder, stale);
    EXPECT_GT(answered, 0);
  }
}

}  // namespace
}  // namespace cairn::cluster
