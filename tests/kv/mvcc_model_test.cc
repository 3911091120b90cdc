// Randomized test of the MVCC engine against a naive model (STYLE.md "Test
// against a simple model"): random transactions over a small key set go
// through Prewrite and then Commit, Rollback, CheckTxnStatus or
// ResolveLocks; stale transactions try to write under newer commits;
// garbage collection runs now and then. After every step, reads and scans at
// random timestamps are compared with a map of versions.

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "mvcc_test_util.h"
#include "test_seed.h"

namespace cairn::kv {
namespace {

using testing::Describe;
using testing::EngineKind;

struct ModelVersion {
  WriteKind kind;
  std::string value;
};

// What every read at a timestamp should return: key -> commit_ts -> version.
class Model {
 public:
  void Commit(const std::string& key, Timestamp commit_ts, ModelVersion v) {
    versions_[key][commit_ts] = std::move(v);
  }

  std::optional<std::string> Read(const std::string& key, Timestamp ts) const {
    auto k = versions_.find(key);
    if (k == versions_.end()) return std::nullopt;
    for (auto it = k->second.upper_bound(ts); it != k->second.begin();) {
      --it;
      if (it->second.kind == WriteKind::kPut) return it->second.value;
      if (it->second.kind == WriteKind::kDelete) return std::nullopt;
    }
    return std::nullopt;
  }

  // The newest commit (of any kind but rollback) after ts, or 0.
  Timestamp NewestCommitAfter(const std::string& key, Timestamp ts) const {
    auto k = versions_.find(key);
    if (k == versions_.end() || k->second.empty()) return 0;
    Timestamp newest = k->second.rbegin()->first;
    return newest > ts ? newest : 0;
  }

  bool LiveNow(const std::string& key) const { return Read(key, kMaxTimestamp).has_value(); }

 private:
  std::map<std::string, std::map<Timestamp, ModelVersion>> versions_;
};

class MvccModelTest : public ::testing::TestWithParam<EngineKind> {
 protected:
  void SetUp() override {
    engine_ = testing::MakeEngine(GetParam(), dir_);
    ASSERT_NE(engine_, nullptr);
    mvcc_ = std::make_unique<testing::MvccFixture>(engine_.get());
    rng_.seed(seed_);
  }
  void TearDown() override {
    mvcc_.reset();
    engine_.reset();
  }

  testing::MvccFixture& m() { return *mvcc_; }
  uint64_t Rand(uint64_t n) { return rng_() % n; }

  std::string RandomValue() {
    if (Rand(8) == 0) return std::string(kShortValueMax + 1 + Rand(300), 'a' + Rand(26));
    return absl::StrCat("v", rng_() % 100000);
  }

  // Timestamps of committed transactions are even; stale transactions use
  // odd start timestamps that no other transaction ever had, as a TSO would.
  Timestamp NextEven() {
    now_ += 2 + 2 * Rand(2);
    return now_;
  }

  // Compares reads of every key at random timestamps, and a random scan.
  void CheckReads(const Model& model) {
    for (const std::string& key : keys_) {
      Timestamp ts = gc_safe_point_ + Rand(now_ + 3 - gc_safe_point_);
      testing::ReadResult r = m().Read(key, ts);
      ASSERT_FALSE(r.locked.has_value()) << "unexpected lock on " << key_codec::PrettyKey(key);
      ASSERT_EQ(r.value, model.Read(key, ts)) << key_codec::PrettyKey(key) << " at " << ts;
    }
    Timestamp ts = gc_safe_point_ + Rand(now_ + 3 - gc_safe_point_);
    size_t a = Rand(keys_.size() + 1), b = Rand(keys_.size() + 1);
    if (a > b) std::swap(a, b);
    std::string start = a == 0 ? "" : keys_[a - 1];
    std::string end = b == keys_.size() ? "" : keys_[b];
    size_t limit = Rand(3) == 0 ? 1 + Rand(4) : 0;
    std::vector<std::pair<std::string, std::string>> want;
    for (const std::string& key : keys_) {
      if (key < start || (!end.empty() && key >= end)) continue;
      if (auto v = model.Read(key, ts)) want.emplace_back(key, *v);
      if (limit && want.size() == limit) break;
    }
    testing::MvccFixture::ScanOutput got = m().Scan(start, end, ts, limit);
    ASSERT_FALSE(got.locked.has_value());
    ASSERT_EQ(got.rows, want) << "scan [" << key_codec::PrettyKey(start) << ", "
                              << key_codec::PrettyKey(end) << ") at " << ts << " limit " << limit;
    // Backwards: the last `limit` of them, last first.
    std::vector<std::pair<std::string, std::string>> want_reverse;
    for (auto key = keys_.rbegin(); key != keys_.rend(); ++key) {
      if (*key < start || (!end.empty() && *key >= end)) continue;
      if (auto v = model.Read(*key, ts)) want_reverse.emplace_back(*key, *v);
      if (limit && want_reverse.size() == limit) break;
    }
    testing::MvccFixture::ScanOutput reversed = m().ReverseScan(start, end, ts, limit);
    ASSERT_FALSE(reversed.locked.has_value());
    ASSERT_EQ(reversed.rows, want_reverse)
        << "reverse scan [" << key_codec::PrettyKey(start) << ", " << key_codec::PrettyKey(end)
        << ") at " << ts << " limit " << limit;
  }

  const uint64_t seed_ = cairn::testing::TestSeed(1234);
  std::mt19937_64 rng_;
  testing::TempDir dir_;
  std::unique_ptr<KvEngine> engine_;
  std::unique_ptr<testing::MvccFixture> mvcc_;
  // Sorted, with embedded zeros and shared prefixes.
  const std::vector<std::string> keys_ = {"",   std::string("\0", 1), "a", std::string("a\0", 2),
                                          "a\x01", "ab", "b", "\xff"};
  Timestamp now_ = 0;
  Timestamp gc_safe_point_ = 0;
  std::set<Timestamp> stale_starts_;
};

TEST_P(MvccModelTest, RandomTransactionsMatchTheModel) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  Model model;
  const int kSteps = 500;
  for (int step = 0; step < kSteps; ++step) {
    SCOPED_TRACE(absl::StrCat("step ", step));
    const uint64_t action = Rand(100);

    if (action < 10) {
      // A stale transaction: starts (at an unused odd timestamp) before some
      // commits and must conflict exactly when the model says so.
      Timestamp start = gc_safe_point_ + 1 + 2 * Rand((now_ - gc_safe_point_) / 2 + 1);
      if (start % 2 == 0) ++start;
      if (!stale_starts_.insert(start).second) continue;  // start_ts are unique
      const std::string& key = keys_[Rand(keys_.size())];
      bool insert = Rand(2) == 0;
      auto mutation = insert ? testing::InsertM(key, "stale") : testing::PutM(key, "stale");
      std::vector<TxnError> errors = m().Prewrite({mutation}, key, start);
      Timestamp newer = model.NewestCommitAfter(key, start);
      if (newer != 0) {
        ASSERT_EQ(Describe(errors), "WriteConflict(" + key_codec::PrettyKey(key) + ")")
            << "start " << start;
        EXPECT_EQ(errors[0].conflict_ts, newer);
      } else if (insert && model.LiveNow(key)) {
        ASSERT_EQ(Describe(errors), "AlreadyExists(" + key_codec::PrettyKey(key) + ")");
      } else {
        ASSERT_EQ(Describe(errors), "");
        ASSERT_EQ(Describe(m().Rollback({key}, start)), "");
      }
      ASSERT_NO_FATAL_FAILURE(CheckReads(model));
      continue;
    }

    if (action < 15 && now_ > 20) {
      // Garbage collection below a safe point that only moves forward.
      gc_safe_point_ = std::max(gc_safe_point_, now_ - Rand(20));
      m().GarbageCollect("", "", gc_safe_point_);
      ASSERT_NO_FATAL_FAILURE(CheckReads(model));
      continue;
    }

    // A regular transaction over 1-3 distinct keys.
    const Timestamp start = NextEven();
    std::set<std::string> chosen;
    size_t n = 1 + Rand(3);
    while (chosen.size() < n) chosen.insert(keys_[Rand(keys_.size())]);
    std::vector<PrewriteMutation> mutations;
    std::vector<std::string> keys;
    std::map<std::string, ModelVersion> effects;
    for (const std::string& key : chosen) {
      uint64_t kind = Rand(10);
      if (kind < 6) {
        std::string v = RandomValue();
        mutations.push_back(testing::PutM(key, v));
        effects[key] = {WriteKind::kPut, v};
      } else if (kind < 9) {
        mutations.push_back(testing::DeleteM(key));
        effects[key] = {WriteKind::kDelete, ""};
      } else {
        mutations.push_back(testing::LockM(key));
        effects[key] = {WriteKind::kLock, ""};
      }
      keys.push_back(key);
    }
    const std::string primary = keys[Rand(keys.size())];
    const bool short_ttl = Rand(4) == 0;
    ASSERT_EQ(Describe(m().Prewrite(mutations, primary, start, short_ttl ? 0 : 1000000)), "");

    // While locked: reads at or after start are blocked (except by pure
    // locks), reads before it see the model.
    for (const std::string& key : keys) {
      testing::ReadResult before = m().Read(key, start - 1);
      ASSERT_FALSE(before.locked.has_value());
      if (start - 1 >= gc_safe_point_) {
        ASSERT_EQ(before.value, model.Read(key, start - 1));
      }
      testing::ReadResult after = m().Read(key, start + Rand(3));
      if (effects[key].kind == WriteKind::kLock) {
        ASSERT_FALSE(after.locked.has_value());
      } else {
        ASSERT_TRUE(after.locked.has_value()) << key_codec::PrettyKey(key);
        ASSERT_EQ(after.locked->lock.start_ts, start);
        ASSERT_EQ(after.locked->lock.primary, primary);
      }
    }

    const Timestamp commit_ts = NextEven();
    const uint64_t outcome = Rand(10);
    bool committed = false;
    if (outcome < 5) {
      // Commit the primary, then the secondaries.
      ASSERT_EQ(Describe(m().Commit({primary}, start, commit_ts)), "");
      ASSERT_EQ(Describe(m().Commit(keys, start, commit_ts)), "");
      committed = true;
    } else if (outcome < 7) {
      // Commit the primary only; a reader finds the rest and rolls forward.
      ASSERT_EQ(Describe(m().Commit({primary}, start, commit_ts)), "");
      TxnStatus status = m().CheckTxnStatus(primary, start, commit_ts + 1);
      ASSERT_EQ(status.state, TxnStatus::State::kCommitted);
      ASSERT_EQ(status.commit_ts, commit_ts);
      m().ResolveLocks(keys, start, status.commit_ts);
      committed = true;
    } else if (outcome < 9) {
      // The coordinator dies: a reader checks the primary. Expired (TTL 0)
      // means rolled back; alive means it waits, and then the owner commits.
      TxnStatus status = m().CheckTxnStatus(primary, start, commit_ts);
      if (short_ttl) {
        ASSERT_EQ(status.state, TxnStatus::State::kRolledBack);
        m().ResolveLocks(keys, start, 0);
        ASSERT_EQ(Describe(m().Commit({primary}, start, commit_ts)),
                  "RolledBack(" + key_codec::PrettyKey(primary) + ")");
      } else {
        ASSERT_EQ(status.state, TxnStatus::State::kLocked);
        ASSERT_EQ(Describe(m().Commit(keys, start, commit_ts)), "");
        committed = true;
      }
    } else {
      ASSERT_EQ(Describe(m().Rollback(keys, start)), "");
      ASSERT_EQ(Describe(m().Prewrite(mutations, primary, start)).find("RolledBack"), 0u);
    }
    if (committed) {
      for (const auto& [key, version] : effects) model.Commit(key, commit_ts, version);
    }
    for (const std::string& key : keys) {
      ASSERT_FALSE(m().LoadLock(key).has_value()) << key_codec::PrettyKey(key);
    }
    ASSERT_NO_FATAL_FAILURE(CheckReads(model));
  }

  // Finally: every timestamp from the safe point on, every key.
  for (Timestamp ts = gc_safe_point_; ts <= now_ + 1; ++ts) {
    for (const std::string& key : keys_) {
      ASSERT_EQ(m().Get(key, ts), model.Read(key, ts)) << key_codec::PrettyKey(key) << " at " << ts;
    }
  }
  // And garbage collection at the end leaves one version per live key.
  m().GarbageCollect("", "", now_ + 1);
  for (const std::string& key : keys_) {
    size_t versions = m().CountVersions(ColumnFamily::kWrite, key);
    EXPECT_EQ(versions, model.LiveNow(key) ? 1u : 0u) << key_codec::PrettyKey(key);
    EXPECT_EQ(m().Get(key, now_ + 1), model.Read(key, now_ + 1));
  }
  // No long value outlives the versions that point at it.
  auto snapshot = engine_->NewSnapshot();
  auto it = snapshot->NewIterator(ColumnFamily::kDefault, "", "");
  size_t long_values = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++long_values;
  size_t live_long = 0;
  for (const std::string& key : keys_) {
    auto v = model.Read(key, now_ + 1);
    if (v && v->size() > kShortValueMax) ++live_long;
  }
  EXPECT_EQ(long_values, live_long);
}

INSTANTIATE_TEST_SUITE_P(Engines, MvccModelTest,
                         ::testing::Values(EngineKind::kMemory, EngineKind::kRocksDb),
                         testing::EngineKindName);

}  // namespace
}  // namespace cairn::kv
