// The KV API's types <-> their proto::Cluster messages (kv_codec): what a
// RemoteRange sends and a ClusterService answers survives the wire intact
// (error codes, mutation kinds, bytes with NULs, whole locks), and a number
// no CairnDB build could have sent is refused or mapped to kInternal.

#include "kv/transport/kv_codec.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "common/error_code.h"
#include "common/timestamp.h"

namespace cairn::kv {
namespace {

// Through bytes, as on the wire.
template <typename Proto>
Proto Reparsed(const Proto& p) {
  Proto parsed;
  EXPECT_TRUE(parsed.ParseFromString(p.SerializeAsString()));
  return parsed;
}

// Every field distinct from its default, so a field the codec drops shows.
Lock FullLock() {
  Lock lock;
  lock.kind = MutationKind::kInsert;
  lock.primary = std::string("pri\0mary", 8);
  lock.start_ts = ComposeTimestamp(1700000000000, 5);
  lock.ttl_ms = 3000;
  lock.min_commit_ts = lock.start_ts + 7;
  lock.short_value = std::string("v\0\xff", 3);
  return lock;
}

void ExpectSameLock(const Lock& got, const Lock& want) {
  EXPECT_EQ(got.kind, want.kind);
  EXPECT_EQ(got.primary, want.primary);
  EXPECT_EQ(got.start_ts, want.start_ts);
  EXPECT_EQ(got.ttl_ms, want.ttl_ms);
  EXPECT_EQ(got.min_commit_ts, want.min_commit_ts);
  EXPECT_EQ(got.short_value, want.short_value);
}

absl::Status StatusRoundTrip(const absl::Status& status) {
  proto::KvError p;
  StatusToProto(status, &p);
  return StatusFromProto(Reparsed(p));
}

TEST(KvCodecTest, StatusKeepsErrorCodeAndMessage) {
  // kInternal is enum value 0: it must not come back as OK.
  for (ErrorCode code :
       {ErrorCode::kRangeNotHere, ErrorCode::kSerializationFailure, ErrorCode::kUnavailable,
        ErrorCode::kInternal, ErrorCode::kSyntaxError, ErrorCode::kDataCorrupted}) {
    SCOPED_TRACE(GetErrorCodeInfo(code).name);
    const std::string message = std::string("range 7 \0moved", 14);
    absl::Status back = StatusRoundTrip(MakeError(code, message));
    ASSERT_FALSE(back.ok());
    EXPECT_EQ(GetErrorCode(back), code);
    EXPECT_EQ(back.message(), message);
  }
}

TEST(KvCodecTest, OkStatusStaysOk) {
  proto::KvError p;
  StatusToProto(absl::OkStatus(), &p);
  EXPECT_EQ(p.code(), 0u);
  EXPECT_TRUE(StatusRoundTrip(absl::OkStatus()).ok());
}

TEST(KvCodecTest, UnknownCodeNumberBecomesInternal) {
  // On the wire a code is its number plus one (0: no error).
  for (uint32_t number : {static_cast<uint32_t>(kLastErrorCode) + 2, 0xffffffffu}) {
    SCOPED_TRACE(number);
    proto::KvError p;
    p.set_code(number);
    p.set_message("from a newer node");
    absl::Status back = StatusFromProto(p);
    ASSERT_FALSE(back.ok());
    EXPECT_EQ(GetErrorCode(back), ErrorCode::kInternal);
    EXPECT_EQ(back.message(), "from a newer node");
  }
}

TEST(KvCodecTest, PrewriteKeepsEveryMutationKindAndField) {
  PrewriteRequest request;
  request.mutations = {
      {.kind = MutationKind::kPut, .key = std::string("k\0put", 5), .value = std::string("\0v", 2)},
      {.kind = MutationKind::kDelete, .key = "k-delete", .value = ""},
      {.kind = MutationKind::kLock, .key = std::string("\0\0", 2), .value = ""},
      {.kind = MutationKind::kInsert, .key = "k-insert", .value = std::string("a\0b\xff", 4)},
  };
  request.primary = std::string("k\0put", 5);
  request.start_ts = (uint64_t{1} << 63) | 42;  // the top bit survives
  request.ttl_ms = 20000;

  proto::PrewriteRequestProto p;
  PrewriteToProto(request, &p);
  absl::StatusOr<PrewriteRequest> back = PrewriteFromProto(Reparsed(p));
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->mutations.size(), request.mutations.size());
  for (size_t i = 0; i < request.mutations.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(back->mutations[i].kind, request.mutations[i].kind);
    EXPECT_EQ(back->mutations[i].key, request.mutations[i].key);
    EXPECT_EQ(back->mutations[i].value, request.mutations[i].value);
  }
  EXPECT_EQ(back->primary, request.primary);
  EXPECT_EQ(back->start_ts, request.start_ts);
  EXPECT_EQ(back->ttl_ms, request.ttl_ms);
}

TEST(KvCodecTest, PrewriteWithUnknownMutationKindIsCorrupt) {
  proto::PrewriteRequestProto p;
  auto* m = p.add_mutations();
  m->set_kind(static_cast<uint32_t>(MutationKind::kInsert) + 1);
  m->set_key("k");
  EXPECT_EQ(GetErrorCode(PrewriteFromProto(p).status()), ErrorCode::kDataCorrupted);
}

TEST(KvCodecTest, TxnErrorsKeepKindKeyConflictTsAndLock) {
  const std::vector<TxnError> errors = {
      {.kind = TxnError::Kind::kKeyLocked, .key = std::string("lo\0cked", 7), .lock = FullLock()},
      {.kind = TxnError::Kind::kWriteConflict,
       .key = "conflict",
       .conflict_ts = ComposeTimestamp(1700000000001, 3)},
      {.kind = TxnError::Kind::kAlreadyExists, .key = "dup"},
      {.kind = TxnError::Kind::kRolledBack, .key = "gone"},
      {.kind = TxnError::Kind::kCommitted, .key = "done"},
  };
  proto::KvResponse p;
  TxnErrorsToProto(errors, &p);
  absl::StatusOr<std::vector<TxnError>> back = TxnErrorsFromProto(Reparsed(p));
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), errors.size());
  for (size_t i = 0; i < errors.size(); ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ((*back)[i].kind, errors[i].kind);
    EXPECT_EQ((*back)[i].key, errors[i].key);
    EXPECT_EQ((*back)[i].conflict_ts, errors[i].conflict_ts);
  }
  ExpectSameLock((*back)[0].lock, FullLock());
}

TEST(KvCodecTest, TxnErrorWithUnknownKindIsCorrupt) {
  proto::KvResponse p;
  p.add_txn_errors()->set_kind(static_cast<uint32_t>(TxnError::Kind::kCommitted) + 1);
  EXPECT_EQ(GetErrorCode(TxnErrorsFromProto(p).status()), ErrorCode::kDataCorrupted);
}

TEST(KvCodecTest, LockedWithoutALockStaysEmpty) {
  proto::KvResponse p;
  LockedToProto(std::nullopt, &p);
  EXPECT_FALSE(p.has_locked());
  absl::StatusOr<std::optional<LockedKey>> back = LockedFromProto(Reparsed(p));
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_FALSE(back->has_value());
}

TEST(KvCodecTest, LockedKeepsKeyAndLock) {
  proto::KvResponse p;
  LockedToProto(LockedKey{.key = std::string("k\0ey", 4), .lock = FullLock()}, &p);
  absl::StatusOr<std::optional<LockedKey>> back = LockedFromProto(Reparsed(p));
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_TRUE(back->has_value());
  EXPECT_EQ((*back)->key, std::string("k\0ey", 4));
  ExpectSameLock((*back)->lock, FullLock());
}

}  // namespace
}  // namespace cairn::kv
