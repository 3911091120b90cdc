// Async commit (Txn::Options::async_commit_max_keys): a transaction over
// several ranges is committed once every key is locked, at the largest
// min_commit_ts of its locks, with no round to the oracle or to the primary
// before COMMIT returns. What a dead coordinator leaves is decided from
// the secondaries; the commit_ts never goes below a read its ranges served.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "common/error_code.h"
#include "txn/txn.h"
#include "txn_fixture.h"

namespace cairn::txn {
namespace {

Txn::Options AsyncCommit() {
  Txn::Options options;
  options.async_commit_max_keys = 16;
  return options;
}

// A client whose async prewrites land but whose answers are lost (the
// leader stopped after replicating them, say): everything else passes
// through to `inner`.
class LostPrewriteAnswers final : public kv::KvClient {
 public:
  explicit LostPrewriteAnswers(kv::KvClient* inner) : inner_(inner) {}

  absl::StatusOr<AsyncPrewriteResult> PrewriteForAsyncCommit(
      const kv::PrewriteRequest& request) override {
    auto landed = inner_->PrewriteForAsyncCommit(request);
    if (!landed.ok()) return landed.status();
    return MakeError(ErrorCode::kUnavailable, "range 2 lost its leader");
  }

  absl::StatusOr<Timestamp> GetTimestamp() override { return inner_->GetTimestamp(); }
  absl::StatusOr<GetResult> Get(std::string_view key, Timestamp ts) override {
    return inner_->Get(key, ts);
  }
  absl::StatusOr<BatchGetResult> BatchGet(const std::vector<std::string>& keys,
                                          Timestamp ts) override {
    return inner_->BatchGet(keys, ts);
  }
  absl::StatusOr<ScanResult> Scan(std::string_view start, std::string_view end, Timestamp ts,
                                  size_t limit) override {
    return inner_->Scan(start, end, ts, limit);
  }
  absl::StatusOr<ScanResult> ReverseScan(std::string_view start, std::string_view end, Timestamp ts,
                                         size_t limit) override {
    return inner_->ReverseScan(start, end, ts, limit);
  }
  absl::StatusOr<std::vector<kv::TxnError>> Prewrite(const kv::PrewriteRequest& request) override {
    return inner_->Prewrite(request);
  }
  absl::StatusOr<OnePhaseResult> TryOnePhaseCommit(const kv::PrewriteRequest& request) override {
    return inner_->TryOnePhaseCommit(request);
  }
  absl::StatusOr<std::vector<kv::TxnError>> Commit(const std::vector<std::string>& keys,
                                                   Timestamp start_ts,
                                                   Timestamp commit_ts) override {
    return inner_->Commit(keys, start_ts, commit_ts);
  }
  absl::Status Rollback(const std::vector<std::string>& keys, Timestamp start_ts) override {
    return inner_->Rollback(keys, start_ts);
  }
  absl::StatusOr<kv::TxnStatus> CheckTxnStatus(std::string_view primary, Timestamp lock_ts,
                                               Timestamp current_ts,
                                               bool rollback_if_missing) override {
    return inner_->CheckTxnStatus(primary, lock_ts, current_ts, rollback_if_missing);
  }
  absl::StatusOr<kv::TxnStatus> TxnHeartbeat(std::string_view primary, Timestamp start_ts,
                                             uint64_t ttl_ms) override {
    return inner_->TxnHeartbeat(primary, start_ts, ttl_ms);
  }
  absl::StatusOr<kv::SecondaryLocksStatus> CheckSecondaryLocks(const std::vector<std::string>& keys,
                                                               Timestamp start_ts,
                                                               bool rollback_if_missing) override {
    return inner_->CheckSecondaryLocks(keys, start_ts, rollback_if_missing);
  }
  absl::Status ResolveLocks(const std::vector<std::string>& keys, Timestamp start_ts,
                            Timestamp commit_ts) override {
    return inner_->ResolveLocks(keys, start_ts, commit_ts);
  }

 private:
  kv::KvClient* const inner_;
};

TEST_F(TxnTest, AsyncCommitAcrossRangesIsVisibleOnceCommitReturns) {
  Write({{K("a"), "a0"}, {S("b"), "b0"}});
  auto txn = Begin(AsyncCommit());
  txn->Put(K("a"), "a1");
  txn->Put(S("b"), "b1");
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_GT(txn->commit_ts(), txn->start_ts());
  // Whether or not the commit records are written yet.
  EXPECT_EQ(Read(K("a")), "a1");
  EXPECT_EQ(Read(S("b")), "b1");
  auto before = Txn::AtTimestamp(client_.get(), resolver_.get(), txn->commit_ts() - 1, {});
  EXPECT_EQ(MustGet(before.get(), K("a")), "a0");
}

// A reader's snapshot stays whole: a transaction that began before a read
// but locks a key after it commits above that read.
TEST_F(TxnTest, AsyncCommitCommitsAboveEveryReadItsRangesServed) {
  Write({{K("k"), "v0"}});
  auto writer = Begin(AsyncCommit());
  auto reader = Begin();  // starts after the writer
  EXPECT_EQ(MustGet(reader.get(), K("k")), "v0");
  writer->Put(K("k"), "v1");
  writer->Put(S("other"), "x");  // another range: not a one-phase commit
  ASSERT_TRUE(writer->Commit().ok());
  EXPECT_GT(writer->commit_ts(), reader->start_ts());
  EXPECT_EQ(MustGet(reader.get(), K("k")), "v0") << "the reader's snapshot changed";
  EXPECT_EQ(Read(K("k")), "v1");
}

// A coordinator killed after every prewrite landed: committed, as its
// client may have been told; the next reader finds every lock and commits
// the transaction at the largest min_commit_ts -- at once, without waiting
// for the locks' TTL.
TEST_F(TxnTest, AsyncCommitWithEveryKeyLockedIsCommittedByTheNextReader) {
  Write({{K("p"), "p0"}, {S("s"), "s0"}});
  auto start = client_->GetTimestamp();
  ASSERT_TRUE(start.ok());
  kv::PrewriteRequest request;
  request.primary = K("p");
  request.secondaries = {S("s")};
  request.start_ts = *start;
  request.ttl_ms = 100;
  request.use_async_commit = true;
  request.mutations = {{kv::MutationKind::kPut, K("p"), "p1"},
                       {kv::MutationKind::kPut, S("s"), "s1"}};
  auto prewritten = client_->PrewriteForAsyncCommit(request);
  ASSERT_TRUE(prewritten.ok() && prewritten->errors.empty());
  const Timestamp commit_ts = prewritten->min_commit_ts;
  ASSERT_GT(commit_ts, *start);

  Txn::Options impatient;
  impatient.max_lock_wait_ms = 0;
  auto reader = Begin(impatient);
  EXPECT_EQ(MustGet(reader.get(), S("s")), "s1");
  EXPECT_EQ(Read(S("s")), "s1");
  EXPECT_EQ(Read(K("p")), "p1");
  EXPECT_FALSE(LockOn(K("p")).has_value());
  auto at_commit = Txn::AtTimestamp(client_.get(), resolver_.get(), commit_ts, {});
  EXPECT_EQ(MustGet(at_commit.get(), K("p")), "p1");
  auto below = Txn::AtTimestamp(client_.get(), resolver_.get(), commit_ts - 1, {});
  EXPECT_EQ(MustGet(below.get(), S("s")), "s0") << "committed at the locks' commit_ts, no lower";
}

// A coordinator killed before one of its keys was prewritten: never
// committed, and that key's late prewrite can't land.
TEST_F(TxnTest, AsyncCommitMissingAKeyIsRolledBackByTheNextReader) {
  Write({{K("p"), "p0"}, {S("s"), "s0"}});
  auto start = client_->GetTimestamp();
  ASSERT_TRUE(start.ok());
  kv::PrewriteRequest request;
  request.primary = K("p");
  request.secondaries = {S("s")};
  request.start_ts = *start;
  request.ttl_ms = 100;
  request.use_async_commit = true;
  request.mutations = {{kv::MutationKind::kPut, K("p"), "p1"}};  // S("s") never sent
  auto prewritten = client_->PrewriteForAsyncCommit(request);
  ASSERT_TRUE(prewritten.ok() && prewritten->errors.empty());

  // Within its TTL its coordinator may still be prewriting: a reader waits.
  Txn::Options impatient;
  impatient.max_lock_wait_ms = 0;
  auto early = Begin(impatient);
  EXPECT_EQ(SqlState(early->Get(K("p")).status()), "55P03") << "alive within its TTL";

  clock_.Advance(200);
  EXPECT_EQ(Read(K("p")), "p0");
  EXPECT_FALSE(LockOn(K("p")).has_value());
  request.mutations = {{kv::MutationKind::kPut, S("s"), "s1"}};
  auto late = client_->PrewriteForAsyncCommit(request);
  ASSERT_TRUE(late.ok());
  ASSERT_EQ(late->errors.size(), 1u);
  EXPECT_EQ(late->errors[0].kind, kv::TxnError::Kind::kRolledBack);
  EXPECT_EQ(Read(S("s")), "s0");
}

// An async commit whose prewrite went unanswered may be committed: if every
// lock landed, the next reader commits it. Its coordinator must say the
// outcome is unknown and leave the locks, not roll back: a rollback racing
// a reader that had committed the primary would undo the keys the reader
// had not reached, leaving half the transaction.
TEST_F(TxnTest, AsyncCommitWithoutAnAnswerIsUnknownAndLeftToReaders) {
  Write({{K("p"), "p0"}, {S("s"), "s0"}});
  LostPrewriteAnswers lossy(client_.get());
  auto txn = Txn::Begin(&lossy, resolver_.get(), AsyncCommit());
  ASSERT_TRUE(txn.ok()) << txn.status();
  (*txn)->Put(K("p"), "p1");
  (*txn)->Put(S("s"), "s1");
  absl::Status committed = (*txn)->Commit();
  EXPECT_EQ(GetErrorCode(committed), ErrorCode::kStatementCompletionUnknown) << committed;
  EXPECT_TRUE(LockOn(K("p")).has_value()) << "rolled back though it may be committed";
  // Every lock is there: the next reader commits it.
  EXPECT_EQ(Read(S("s")), "s1");
  EXPECT_EQ(Read(K("p")), "p1");
}

}  // namespace
}  // namespace cairn::txn
