// raft::Message <-> proto::RaftMessage: every type a node sends survives
// the wire unchanged (entries and snapshot metadata included, the snapshot
// data travelling beside the proto), and what raft/ could never have sent
// (local-only and unknown types) is refused rather than stepped.

#include "kv/transport/raft_message_codec.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "common/error_code.h"
#include "test_seed.h"

namespace cairn::kv {
namespace {

using raft::MessageType;

constexpr MessageType kWireTypes[] = {
    MessageType::kAppend,          MessageType::kAppendResponse,
    MessageType::kVote,            MessageType::kVoteResponse,
    MessageType::kPreVote,         MessageType::kPreVoteResponse,
    MessageType::kHeartbeat,       MessageType::kHeartbeatResponse,
    MessageType::kSnapshot,        MessageType::kTimeoutNow,
    MessageType::kReadIndex,       MessageType::kReadIndexResponse,
    MessageType::kTransferLeader,
};

constexpr MessageType kLocalTypes[] = {
    MessageType::kHup,     MessageType::kBeat,        MessageType::kCheckQuorum,
    MessageType::kPropose, MessageType::kUnreachable, MessageType::kSnapshotStatus,
};

// Every field set to a value distinct from its default (and from the other
// fields), so that a field the codec forgets or swaps shows up.
raft::Message FullMessage(MessageType type, std::mt19937_64& rng) {
  raft::Message m;
  m.type = type;
  m.from = 1 + rng() % 1000;
  m.to = 1001 + rng() % 1000;
  m.term = uint64_t{1} << 40 | (rng() & 0xffff);  // beyond 32 bits
  m.log_term = 7 + rng() % 100;
  m.index = (uint64_t{1} << 63) + rng() % 1000;  // the top bit survives
  m.commit = 3 + rng() % 100;
  m.reject = true;
  m.reject_hint = 11 + rng() % 100;
  m.context = std::string("ctx\0with-nul", 12);
  const int n = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < n; ++i) {
    std::string data(rng() % 64, '\0');
    for (char& c : data) c = static_cast<char>(rng());
    m.entries.push_back(raft::Entry{.term = m.log_term + i,
                                    .index = m.index + 1 + i,
                                    .type = i % 2 == 0 ? raft::EntryType::kNormal
                                                       : raft::EntryType::kConfChange,
                                    .data = std::move(data)});
  }
  m.entries.push_back(raft::Entry{.term = 9, .index = m.index + 1 + n});  // a leader's empty entry
  if (type == MessageType::kSnapshot) {
    raft::Snapshot snap;
    snap.metadata.index = 12345;
    snap.metadata.term = 67;
    snap.metadata.conf_state.voters = {1, 2, 3};
    snap.metadata.conf_state.learners = {4, 5};
    snap.data = std::string(1000 + rng() % 1000, '\0');
    for (char& c : snap.data) c = static_cast<char>(rng());
    m.snapshot = std::move(snap);
  }
  return m;
}

void ExpectSameMessage(const raft::Message& got, const raft::Message& want) {
  EXPECT_EQ(got.type, want.type);
  EXPECT_EQ(got.from, want.from);
  EXPECT_EQ(got.to, want.to);
  EXPECT_EQ(got.term, want.term);
  EXPECT_EQ(got.log_term, want.log_term);
  EXPECT_EQ(got.index, want.index);
  EXPECT_EQ(got.commit, want.commit);
  EXPECT_EQ(got.reject, want.reject);
  EXPECT_EQ(got.reject_hint, want.reject_hint);
  EXPECT_EQ(got.context, want.context);
  EXPECT_EQ(got.entries, want.entries);
  ASSERT_EQ(got.snapshot.has_value(), want.snapshot.has_value());
  if (want.snapshot.has_value()) {
    EXPECT_EQ(got.snapshot->metadata, want.snapshot->metadata);
    EXPECT_EQ(got.snapshot->data, want.snapshot->data);
  }
}

class RaftMessageCodecTest : public ::testing::Test {
 protected:
  const uint64_t seed_ = cairn::testing::TestSeed(20240611);
};

TEST_F(RaftMessageCodecTest, EveryWireTypeRoundTrips) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  std::mt19937_64 rng(seed_);
  for (MessageType type : kWireTypes) {
    SCOPED_TRACE(raft::MessageTypeName(type));
    const raft::Message m = FullMessage(type, rng);
    const uint64_t range_id = 1 + rng() % 100000;
    proto::RaftMessage p = RaftMessageToProto(range_id, m);
    EXPECT_EQ(p.range_id(), range_id);

    // Through bytes, as on the wire.
    proto::RaftMessage parsed;
    ASSERT_TRUE(parsed.ParseFromString(p.SerializeAsString()));
    std::string data = m.snapshot.has_value() ? m.snapshot->data : "";
    absl::StatusOr<raft::Message> back = RaftMessageFromProto(parsed, data);
    ASSERT_TRUE(back.ok()) << back.status();
    ExpectSameMessage(*back, m);
  }
}

TEST_F(RaftMessageCodecTest, SnapshotDataTravelsOutsideTheMessage) {
  SCOPED_TRACE(cairn::testing::SeedTrace(seed_));
  std::mt19937_64 rng(seed_);
  raft::Message m = FullMessage(MessageType::kSnapshot, rng);
  proto::RaftMessage p = RaftMessageToProto(7, m);
  EXPECT_TRUE(p.has_snapshot());
  // The receiver checks the reassembled chunks against this size.
  EXPECT_EQ(p.snapshot_size(), m.snapshot->data.size());
  // The header stays small however large the snapshot is.
  EXPECT_LT(p.ByteSizeLong(), m.snapshot->data.size());
  EXPECT_EQ(p.snapshot_metadata().index(), 12345u);
  EXPECT_EQ(p.snapshot_metadata().term(), 67u);

  // An empty snapshot data is a snapshot all the same (an empty range).
  m.snapshot->data.clear();
  absl::StatusOr<raft::Message> empty = RaftMessageFromProto(RaftMessageToProto(7, m), "");
  ASSERT_TRUE(empty.ok()) << empty.status();
  ASSERT_TRUE(empty->snapshot.has_value());
  EXPECT_EQ(empty->snapshot->metadata, m.snapshot->metadata);
  EXPECT_TRUE(empty->snapshot->data.empty());

  // A message without a snapshot decodes without one, whatever data is
  // passed beside it.
  raft::Message append = FullMessage(MessageType::kAppend, rng);
  absl::StatusOr<raft::Message> no_snap =
      RaftMessageFromProto(RaftMessageToProto(7, append), "stray");
  ASSERT_TRUE(no_snap.ok()) << no_snap.status();
  EXPECT_FALSE(no_snap->snapshot.has_value());
}

TEST_F(RaftMessageCodecTest, MinimalMessageRoundTrips) {
  // All defaults: proto3 omits them on the wire; they must come back as
  // the same defaults (a heartbeat with commit 0, no entries...).
  raft::Message m{.type = MessageType::kHeartbeat, .from = 1, .to = 2};
  proto::RaftMessage parsed;
  ASSERT_TRUE(parsed.ParseFromString(RaftMessageToProto(1, m).SerializeAsString()));
  absl::StatusOr<raft::Message> back = RaftMessageFromProto(parsed, "");
  ASSERT_TRUE(back.ok()) << back.status();
  ExpectSameMessage(*back, m);
}

TEST_F(RaftMessageCodecTest, LocalOnlyTypesAreRefused) {
  std::mt19937_64 rng(seed_);
  for (MessageType type : kLocalTypes) {
    SCOPED_TRACE(raft::MessageTypeName(type));
    proto::RaftMessage p = RaftMessageToProto(2, FullMessage(type, rng));
    absl::StatusOr<raft::Message> m = RaftMessageFromProto(p, "");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(GetErrorCode(m.status()), ErrorCode::kDataCorrupted) << m.status();
  }
}

TEST_F(RaftMessageCodecTest, UnknownTypesAreRefused) {
  std::mt19937_64 rng(seed_);
  const uint32_t past_last = static_cast<uint32_t>(MessageType::kSnapshotStatus) + 1;
  for (uint32_t type : {past_last, past_last + 1, 255u, 256u, 0xffffffffu}) {
    SCOPED_TRACE(absl::StrCat("type ", type));
    proto::RaftMessage p = RaftMessageToProto(2, FullMessage(MessageType::kAppend, rng));
    p.set_type(type);
    absl::StatusOr<raft::Message> m = RaftMessageFromProto(p, "");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(GetErrorCode(m.status()), ErrorCode::kDataCorrupted) << m.status();
  }
}

TEST_F(RaftMessageCodecTest, UnknownEntryTypesAreRefused) {
  std::mt19937_64 rng(seed_);
  const uint32_t past_last = static_cast<uint32_t>(raft::EntryType::kConfChange) + 1;
  for (uint32_t type : {past_last, 255u, 256u}) {
    SCOPED_TRACE(absl::StrCat("entry type ", type));
    proto::RaftMessage p = RaftMessageToProto(2, FullMessage(MessageType::kAppend, rng));
    p.mutable_entries(0)->set_type(type);
    absl::StatusOr<raft::Message> m = RaftMessageFromProto(p, "");
    ASSERT_FALSE(m.ok());
    EXPECT_EQ(GetErrorCode(m.status()), ErrorCode::kDataCorrupted) << m.status();
  }
}

}  // namespace
}  // namespace cairn::kv
