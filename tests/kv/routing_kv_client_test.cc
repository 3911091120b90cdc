// RoutingKvClient over a fake keyspace of three ranges ["", "g"), ["g", "p"),
// ["p", ""): requests are split by range and each range sees only its own
// keys, reads come back in key order (or the caller's order) across range
// boundaries, and a kRangeNotHere part makes the client locate again and
// start over while any other error comes back at once.

#include "kv/routing_kv_client.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/error_code.h"

namespace cairn::kv {
namespace {

// One command a fake range received: its keys, or a scan's {start, end}.
struct Call {
  std::string method;
  std::vector<std::string> keys;
  size_t limit = 0;
};

// What a fake range holds and what was asked of it. Owned by the locator;
// the executors it hands out point here.
struct FakeRange {
  proto::RangeDescriptor descriptor;
  std::map<std::string, std::string> data;
  std::vector<Call> calls;
  std::vector<PrewriteRequest> prewrites;
  // The next `fail_times` commands fail with `failure`, having done nothing.
  int fail_times = 0;
  absl::Status failure;

  std::vector<std::string> Methods() const {
    std::vector<std::string> methods;
    for (const Call& c : calls) methods.push_back(c.method);
    return methods;
  }
};

class FakeExecutor final : public RangeExecutor {
 public:
  explicit FakeExecutor(FakeRange* range) : range_(range) {}

  const proto::RangeDescriptor& descriptor() const override { return range_->descriptor; }

  absl::StatusOr<KvClient::GetResult> Get(std::string_view key, Timestamp) override {
    CAIRN_RETURN_IF_ERROR(Begin({"Get", {std::string(key)}}));
    return KvClient::GetResult{.value = Lookup(key)};
  }

  absl::StatusOr<KvClient::BatchGetResult> BatchGet(const std::vector<std::string>& keys,
                                                    Timestamp) override {
    CAIRN_RETURN_IF_ERROR(Begin({"BatchGet", keys}));
    EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end())) << "BatchGet keys must ascend";
    KvClient::BatchGetResult result;
    for (const std::string& key : keys) result.values.push_back(Lookup(key));
    return result;
  }

  absl::StatusOr<KvClient::ScanResult> Scan(std::string_view start, std::string_view end, Timestamp,
                                            size_t limit) override {
    CAIRN_RETURN_IF_ERROR(BeginScan("Scan", start, end, limit));
    KvClient::ScanResult result;
    for (auto it = range_->data.lower_bound(std::string(start));
         it != range_->data.end() && (end.empty() || it->first < end); ++it) {
      if (limit != 0 && result.rows.size() == limit) break;
      result.rows.push_back({it->first, it->second});
    }
    return result;
  }

  // The fragment "keys": the span's keys, comma-separated.
  absl::StatusOr<FragmentResult> EvaluateFragment(const FragmentRequest& request) override {
    CAIRN_RETURN_IF_ERROR(BeginScan("EvaluateFragment", request.start, request.end, 0));
    FragmentResult result;
    for (auto it = range_->data.lower_bound(request.start);
         it != range_->data.end() && (request.end.empty() || it->first < request.end); ++it) {
      result.output += it->first + ",";
    }
    return result;
  }

  absl::StatusOr<KvClient::ScanResult> ReverseScan(std::string_view start, std::string_view end,
                                                   Timestamp, size_t limit) override {
    CAIRN_RETURN_IF_ERROR(BeginScan("ReverseScan", start, end, limit));
    KvClient::ScanResult result;
    auto it = end.empty() ? range_->data.end() : range_->data.lower_bound(std::string(end));
    while (it != range_->data.begin()) {
      --it;
      if (it->first < start) break;
      if (limit != 0 && result.rows.size() == limit) break;
      result.rows.push_back({it->first, it->second});
    }
    return result;
  }

  absl::StatusOr<std::vector<TxnError>> Prewrite(const PrewriteRequest& request,
                                                 const std::function<absl::StatusOr<Timestamp>()>&,
                                                 Timestamp*) override {
    CAIRN_RETURN_IF_ERROR(Begin({"Prewrite", KeysOf(request)}));
    range_->prewrites.push_back(request);
    return std::vector<TxnError>{};
  }

  absl::StatusOr<std::vector<TxnError>> OnePhaseCommit(
      const PrewriteRequest& request, const std::function<absl::StatusOr<Timestamp>()>& commit_ts,
      Timestamp* commit_ts_out) override {
    CAIRN_RETURN_IF_ERROR(Begin({"OnePhaseCommit", KeysOf(request)}));
    CAIRN_ASSIGN_OR_RETURN(*commit_ts_out, commit_ts());
    for (const PrewriteMutation& m : request.mutations) range_->data[m.key] = m.value;
    return std::vector<TxnError>{};
  }

  absl::StatusOr<std::vector<TxnError>> Commit(const std::vector<std::string>& keys, Timestamp,
                                               Timestamp) override {
    CAIRN_RETURN_IF_ERROR(Begin({"Commit", keys}));
    return std::vector<TxnError>{};
  }

  absl::Status Rollback(const std::vector<std::string>& keys, Timestamp) override {
    return Begin({"Rollback", keys});
  }

  absl::StatusOr<TxnStatus> CheckTxnStatus(std::string_view primary, Timestamp, Timestamp,
                                           bool) override {
    CAIRN_RETURN_IF_ERROR(Begin({"CheckTxnStatus", {std::string(primary)}}));
    return TxnStatus{};
  }

  absl::StatusOr<TxnStatus> TxnHeartbeat(std::string_view primary, Timestamp, uint64_t) override {
    CAIRN_RETURN_IF_ERROR(Begin({"TxnHeartbeat", {std::string(primary)}}));
    return TxnStatus{};
  }

  absl::StatusOr<SecondaryLocksStatus> CheckSecondaryLocks(const std::vector<std::string>& keys,
                                                           Timestamp, bool) override {
    CAIRN_RETURN_IF_ERROR(Begin({"CheckSecondaryLocks", keys}));
    return SecondaryLocksStatus{};
  }

  absl::Status ResolveLocks(const std::vector<std::string>& keys, Timestamp, Timestamp) override {
    return Begin({"ResolveLocks", keys});
  }

  absl::Status Split(std::string_view split_key, uint64_t) override {
    return Begin({"Split", {std::string(split_key)}});
  }

 private:
  static std::vector<std::string> KeysOf(const PrewriteRequest& request) {
    std::vector<std::string> keys;
    for (const PrewriteMutation& m : request.mutations) keys.push_back(m.key);
    return keys;
  }

  std::optional<std::string> Lookup(std::string_view key) const {
    auto it = range_->data.find(std::string(key));
    if (it == range_->data.end()) return std::nullopt;
    return it->second;
  }

  // Records the call (failed ones too) and fails it when told to.
  absl::Status Begin(Call call) {
    for (const std::string& key : call.keys) {
      EXPECT_TRUE(KeyInSpan(range_->descriptor, key))
          << call.method << " of " << key << " sent to range " << range_->descriptor.range_id();
    }
    range_->calls.push_back(std::move(call));
    if (range_->fail_times > 0) {
      --range_->fail_times;
      return range_->failure;
    }
    return absl::OkStatus();
  }

  absl::Status BeginScan(std::string method, std::string_view start, std::string_view end,
                         size_t limit) {
    const proto::RangeDescriptor& d = range_->descriptor;
    EXPECT_GE(start, d.start_key()) << method << " starts before range " << d.range_id();
    if (!d.end_key().empty()) {
      EXPECT_TRUE(!end.empty() && end <= d.end_key())
          << method << " ends after range " << d.range_id();
    }
    range_->calls.push_back({std::move(method), {std::string(start), std::string(end)}, limit});
    if (range_->fail_times > 0) {
      --range_->fail_times;
      return range_->failure;
    }
    return absl::OkStatus();
  }

  FakeRange* const range_;
};

// The keyspace split at `splits`; range i has range_id i + 1.
class FakeLocator final : public RangeLocator {
 public:
  explicit FakeLocator(const std::vector<std::string>& splits) {
    std::string start;
    for (size_t i = 0; i <= splits.size(); ++i) {
      auto range = std::make_unique<FakeRange>();
      range->descriptor.set_range_id(i + 1);
      range->descriptor.set_generation(3);
      range->descriptor.set_start_key(start);
      if (i < splits.size()) range->descriptor.set_end_key(splits[i]);
      if (i < splits.size()) start = splits[i];
      ranges_.push_back(std::move(range));
    }
  }

  absl::StatusOr<std::unique_ptr<RangeExecutor>> Locate(std::string_view key) override {
    ++locate_calls;
    for (auto& range : ranges_) {
      if (KeyInSpan(range->descriptor, key)) return std::make_unique<FakeExecutor>(range.get());
    }
    return MakeError(ErrorCode::kInternal, "no range holds the key");
  }

  absl::StatusOr<std::unique_ptr<RangeExecutor>> LocateBefore(std::string_view end) override {
    ++locate_before_calls;
    for (auto& range : ranges_) {
      const proto::RangeDescriptor& d = range->descriptor;
      const bool starts_before = end.empty() || d.start_key() < end;
      const bool ends_at_or_after = d.end_key().empty() || (!end.empty() && d.end_key() >= end);
      if (starts_before && ends_at_or_after) return std::make_unique<FakeExecutor>(range.get());
    }
    return MakeError(ErrorCode::kInternal, "no range holds the keys before the end");
  }

  void Invalidate(uint64_t range_id) override { invalidated.push_back(range_id); }

  FakeRange& range(size_t i) { return *ranges_[i]; }
  size_t range_count() const { return ranges_.size(); }

  void Put(const std::string& key, const std::string& value) {
    for (auto& range : ranges_) {
      if (KeyInSpan(range->descriptor, key)) range->data[key] = value;
    }
  }

  int locate_calls = 0;
  int locate_before_calls = 0;
  std::vector<uint64_t> invalidated;

 private:
  std::vector<std::unique_ptr<FakeRange>> ranges_;
};

constexpr Timestamp kReadTs = 50;

class RoutingKvClientTest : public ::testing::Test {
 protected:
  RoutingKvClientTest() {
    for (const char* key : {"a", "c", "f", "g", "h", "m", "p", "q", "z"}) {
      locator_.Put(key, std::string("v") + key);
    }
  }

  std::vector<std::string> KeysOf(const KvClient::ScanResult& result) {
    std::vector<std::string> keys;
    for (const KeyValue& kv : result.rows) {
      EXPECT_EQ(kv.value, "v" + kv.key);
      keys.push_back(kv.key);
    }
    return keys;
  }

  PrewriteRequest PutRequest(const std::vector<std::string>& keys) {
    PrewriteRequest request{.primary = keys.front(), .start_ts = 60, .ttl_ms = 3000};
    for (const std::string& key : keys) {
      request.mutations.push_back({.kind = MutationKind::kPut, .key = key, .value = "new-" + key});
    }
    return request;
  }

  void FailNext(size_t range, int times, ErrorCode code) {
    locator_.range(range).fail_times = times;
    locator_.range(range).failure = MakeError(code, "injected");
  }

  FakeLocator locator_{{"g", "p"}};
  std::vector<uint32_t> timestamp_counts_;
  RoutingKvClient client_{&locator_, [this](uint32_t count) -> absl::StatusOr<Timestamp> {
                            timestamp_counts_.push_back(count);
                            return Timestamp{1000};
                          }};
};

TEST_F(RoutingKvClientTest, GetReadsFromTheRangeHoldingTheKey) {
  auto got = client_.Get("h", kReadTs);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->value, "vh");
  EXPECT_TRUE(locator_.range(0).calls.empty());
  EXPECT_EQ(locator_.range(1).Methods(), std::vector<std::string>{"Get"});
  EXPECT_TRUE(locator_.range(2).calls.empty());

  auto missing = client_.Get("zz", kReadTs);
  ASSERT_TRUE(missing.ok()) << missing.status();
  EXPECT_EQ(missing->value, std::nullopt);
}

TEST_F(RoutingKvClientTest, BatchGetReturnsValuesInTheCallersOrder) {
  const std::vector<std::string> keys = {"q", "a", "zz", "h", "c", "g"};
  auto got = client_.BatchGet(keys, kReadTs);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->values,
            (std::vector<std::optional<std::string>>{"vq", "va", std::nullopt, "vh", "vc", "vg"}));
  EXPECT_FALSE(got->locked.has_value());
  // One sorted part per range.
  ASSERT_EQ(locator_.range(0).calls.size(), 1u);
  EXPECT_EQ(locator_.range(0).calls[0].keys, (std::vector<std::string>{"a", "c"}));
  ASSERT_EQ(locator_.range(1).calls.size(), 1u);
  EXPECT_EQ(locator_.range(1).calls[0].keys, (std::vector<std::string>{"g", "h"}));
  ASSERT_EQ(locator_.range(2).calls.size(), 1u);
  EXPECT_EQ(locator_.range(2).calls[0].keys, (std::vector<std::string>{"q", "zz"}));
}

TEST_F(RoutingKvClientTest, ScanCrossesRangeBoundariesInKeyOrder) {
  auto got = client_.Scan("b", "r", kReadTs, 0);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(KeysOf(*got), (std::vector<std::string>{"c", "f", "g", "h", "m", "p", "q"}));
  ASSERT_EQ(locator_.range(2).calls.size(), 1u);
  EXPECT_EQ(locator_.range(2).calls[0].keys, (std::vector<std::string>{"p", "r"}));
}

TEST_F(RoutingKvClientTest, ScanWithEmptyEndReadsToTheEndOfTheKeyspace) {
  auto got = client_.Scan("h", "", kReadTs, 0);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(KeysOf(*got), (std::vector<std::string>{"h", "m", "p", "q", "z"}));
  EXPECT_TRUE(locator_.range(0).calls.empty());
}

TEST_F(RoutingKvClientTest, ScanLimitReturnsTheFirstKeysAndStopsEarly) {
  auto got = client_.Scan("", "", kReadTs, 4);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(KeysOf(*got), (std::vector<std::string>{"a", "c", "f", "g"}));
  ASSERT_EQ(locator_.range(1).calls.size(), 1u);
  EXPECT_EQ(locator_.range(1).calls[0].limit, 1u);  // what is left of the limit
  EXPECT_TRUE(locator_.range(2).calls.empty());
}

TEST_F(RoutingKvClientTest, ReverseScanCrossesRangeBoundariesInDescendingOrder) {
  auto got = client_.ReverseScan("b", "r", kReadTs, 0);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(KeysOf(*got), (std::vector<std::string>{"q", "p", "m", "h", "g", "f", "c"}));
  ASSERT_EQ(locator_.range(0).calls.size(), 1u);
  EXPECT_EQ(locator_.range(0).calls[0].keys, (std::vector<std::string>{"b", "g"}));
}

TEST_F(RoutingKvClientTest, ReverseScanWithEmptyEndStartsAtTheLastRange) {
  auto got = client_.ReverseScan("", "", kReadTs, 0);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(KeysOf(*got), (std::vector<std::string>{"z", "q", "p", "m", "h", "g", "f", "c", "a"}));
}

TEST_F(RoutingKvClientTest, ReverseScanLimitReturnsTheLastKeysAndStopsEarly) {
  auto got = client_.ReverseScan("", "", kReadTs, 4);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(KeysOf(*got), (std::vector<std::string>{"z", "q", "p", "m"}));
  ASSERT_EQ(locator_.range(1).calls.size(), 1u);
  EXPECT_EQ(locator_.range(1).calls[0].limit, 1u);
  EXPECT_TRUE(locator_.range(0).calls.empty());
}

TEST_F(RoutingKvClientTest, ReverseScanEndingAtABoundaryStartsInTheRangeBelow) {
  auto got = client_.ReverseScan("", "p", kReadTs, 0);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(KeysOf(*got), (std::vector<std::string>{"m", "h", "g", "f", "c", "a"}));
  EXPECT_TRUE(locator_.range(2).calls.empty());
}

TEST_F(RoutingKvClientTest, PrewriteSendsEachRangeOnlyItsMutations) {
  const PrewriteRequest request = PutRequest({"q", "a", "h", "c"});
  auto errors = client_.Prewrite(request);
  ASSERT_TRUE(errors.ok()) << errors.status();
  EXPECT_TRUE(errors->empty());
  const std::vector<std::vector<std::string>> want = {{"a", "c"}, {"h"}, {"q"}};
  for (size_t i = 0; i < locator_.range_count(); ++i) {
    SCOPED_TRACE(i);
    ASSERT_EQ(locator_.range(i).prewrites.size(), 1u);
    const PrewriteRequest& part = locator_.range(i).prewrites[0];
    std::vector<std::string> keys;
    for (const PrewriteMutation& m : part.mutations) {
      EXPECT_EQ(m.value, "new-" + m.key);
      keys.push_back(m.key);
    }
    std::sort(keys.begin(), keys.end());
    EXPECT_EQ(keys, want[i]);
    EXPECT_EQ(part.primary, "q");
    EXPECT_EQ(part.start_ts, request.start_ts);
    EXPECT_EQ(part.ttl_ms, request.ttl_ms);
  }
}

TEST_F(RoutingKvClientTest, CommitSendsEachRangeOnlyItsKeys) {
  auto errors = client_.Commit({"z", "g", "a", "p", "f"}, 60, 70);
  ASSERT_TRUE(errors.ok()) << errors.status();
  EXPECT_TRUE(errors->empty());
  const std::vector<std::vector<std::string>> want = {{"a", "f"}, {"g"}, {"p", "z"}};
  for (size_t i = 0; i < locator_.range_count(); ++i) {
    SCOPED_TRACE(i);
    ASSERT_EQ(locator_.range(i).calls.size(), 1u);
    EXPECT_EQ(locator_.range(i).calls[0].method, "Commit");
    EXPECT_EQ(locator_.range(i).calls[0].keys, want[i]);
  }
}

TEST_F(RoutingKvClientTest, OnePhaseCommitAppliesWhenAllKeysShareARange) {
  auto result = client_.TryOnePhaseCommit(PutRequest({"m", "g", "k"}));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(result->applied);
  EXPECT_TRUE(result->errors.empty());
  EXPECT_EQ(result->commit_ts, 1000u);
  EXPECT_EQ(timestamp_counts_, std::vector<uint32_t>{1});
  EXPECT_EQ(locator_.range(1).Methods(), std::vector<std::string>{"OnePhaseCommit"});
  EXPECT_EQ(locator_.range(1).data["k"], "new-k");
}

TEST_F(RoutingKvClientTest, OnePhaseCommitSpanningRangesIsNotApplied) {
  auto result = client_.TryOnePhaseCommit(PutRequest({"h", "q"}));
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_FALSE(result->applied);
  for (size_t i = 0; i < locator_.range_count(); ++i) {
    EXPECT_TRUE(locator_.range(i).calls.empty()) << "range " << i;
  }
  EXPECT_TRUE(timestamp_counts_.empty());
}

TEST_F(RoutingKvClientTest, RangeNotHereLocatesAgainAndRetries) {
  FailNext(1, 2, ErrorCode::kRangeNotHere);
  auto got = client_.Get("h", kReadTs);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->value, "vh");
  EXPECT_EQ(locator_.locate_calls, 3);
  EXPECT_EQ(locator_.range(1).calls.size(), 3u);
}

TEST_F(RoutingKvClientTest, RangeNotHereInOnePartRestartsTheWholePrewrite) {
  FailNext(2, 1, ErrorCode::kRangeNotHere);
  auto errors = client_.Prewrite(PutRequest({"a", "h", "q"}));
  ASSERT_TRUE(errors.ok()) << errors.status();
  EXPECT_EQ(locator_.locate_calls, 6);  // three ranges, twice
  EXPECT_EQ(locator_.range(0).prewrites.size(), 2u);
  EXPECT_EQ(locator_.range(2).calls.size(), 2u);
  EXPECT_EQ(locator_.range(2).prewrites.size(), 1u);
}

TEST_F(RoutingKvClientTest, RangeNotHereMidScanDoesNotRepeatRows) {
  FailNext(1, 1, ErrorCode::kRangeNotHere);
  auto got = client_.Scan("", "", kReadTs, 0);
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(KeysOf(*got), (std::vector<std::string>{"a", "c", "f", "g", "h", "m", "p", "q", "z"}));
  EXPECT_EQ(locator_.range(0).calls.size(), 2u);
}

TEST_F(RoutingKvClientTest, OtherErrorsReturnAtOnce) {
  FailNext(1, 1, ErrorCode::kInternal);
  auto got = client_.Get("h", kReadTs);
  EXPECT_EQ(GetErrorCode(got.status()), ErrorCode::kInternal);
  EXPECT_EQ(locator_.locate_calls, 1);
  EXPECT_EQ(locator_.range(1).calls.size(), 1u);

  FailNext(2, 1, ErrorCode::kSerializationFailure);
  auto errors = client_.Commit({"a", "q"}, 60, 70);
  EXPECT_EQ(GetErrorCode(errors.status()), ErrorCode::kSerializationFailure);
  EXPECT_EQ(locator_.range(2).calls.size(), 1u);
}

TEST_F(RoutingKvClientTest, GetTimestampAsksTheSourceForOne) {
  auto ts = client_.GetTimestamp();
  ASSERT_TRUE(ts.ok()) << ts.status();
  EXPECT_EQ(*ts, 1000u);
  EXPECT_EQ(timestamp_counts_, std::vector<uint32_t>{1});
}

}  // namespace
}  // namespace cairn::kv
