#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/synchronization/mutex.h"
#include "absl/synchronization/notification.h"
#include "absl/time/time.h"
#include "executor/sql_session.h"

namespace cairn::pgwire::test {

// A SessionFactory whose sessions answer a tiny canned language, so that
// pgwire can be tested without a SQL engine. A query is split on ';' and
// each statement (trimmed, case-sensitive) is one of:
//
//   SELECT 1         one int4 column "?column?", one row: 1
//   SELECT rows N    int8 "i" and text "t": (1,'row 1') .. (N,'row N')
//   SELECT nulls     int4 "a", text "b", bool "c": (NULL,'x',true), (2,NULL,false)
//   SELECT bad       42601 with the position of "bad" in the query text
//   FAIL             22012 without a position
//   INSERT           "INSERT 0 1"
//   BEGIN / COMMIT / ROLLBACK    transaction block; errors inside one fail it
//   SET name = value "SET", reports name as a changed parameter
//   WAIT             blocks until ReleaseWaiters() (see WaitEntered()), or
//                    until the session is canceled (57014)
//   SET idle_in_transaction_session_timeout = N   also sets that timeout (ms)
//   SHUTDOWN         57P01 admin_shutdown
//
// Anything else fails with 0A000. An empty query reports OnEmptyQuery.
// Prepared (extended protocol), the same statements run, and also
//
//   SELECT $1, $2    one row of its two parameters, as columns "a" and "b",
//                    typed int8 and text unless the client declared types
// The database "nope" does not exist (3D000). Thread-safe.
class FakeSessionFactory : public executor::SessionFactory {
 public:
  absl::StatusOr<std::unique_ptr<executor::SqlSession>> NewSession(
      std::string_view user, std::string_view database) override;

  // Blocks until a session is inside WAIT (or `timeout` passes).
  bool WaitEntered(absl::Duration timeout) {
    return entered_wait_.WaitForNotificationWithTimeout(timeout);
  }
  void ReleaseWaiters() { NotifyOnce(release_); }

  // Blocks until `n` sessions were closed in all (or `timeout` passes).
  bool AwaitClosed(int n, absl::Duration timeout);

  int sessions_created() const;
  int sessions_closed() const;
  std::string last_user() const;
  std::string last_database() const;
  // Every statement run by any session, in order.
  std::vector<std::string> statements() const;

 private:
  friend class FakeSession;
  void RecordStatement(std::string_view statement);
  void RecordClose();
  void NotifyOnce(absl::Notification& n) {
    absl::MutexLock lock(&mu_);
    if (!n.HasBeenNotified()) n.Notify();
  }

  absl::Notification entered_wait_;
  absl::Notification release_;

  mutable absl::Mutex mu_;
  int created_ ABSL_GUARDED_BY(mu_) = 0;
  int closed_ ABSL_GUARDED_BY(mu_) = 0;
  std::string last_user_ ABSL_GUARDED_BY(mu_);
  std::string last_database_ ABSL_GUARDED_BY(mu_);
  std::vector<std::string> statements_ ABSL_GUARDED_BY(mu_);
};

}  // namespace cairn::pgwire::test
