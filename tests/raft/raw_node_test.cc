#include "raft/raw_node.h"

#include <gtest/gtest.h>

#include "common/error_code.h"
#include "raft/bootstrap.h"
#include "raft/memory_log_storage.h"

namespace cairn::raft {
namespace {

std::unique_ptr<MemoryLogStorage> BootstrappedStorage(
    std::vector<uint64_t> voters) {
  auto s = std::make_unique<MemoryLogStorage>();
  EXPECT_TRUE(s->ApplySnapshot(MakeBootstrapSnapshot(std::move(voters))).ok());
  return s;
}

std::unique_ptr<RawNode> MustCreate(const Config& c) {
  auto n = RawNode::Create(c);
  EXPECT_TRUE(n.ok()) << n.status();
  return n.ok() ? *std::move(n) : nullptr;
}

// Persists a Ready the way a driver must, and returns it.
Ready Persist(RawNode& node, MemoryLogStorage& storage) {
  Ready rd = node.GetReady();
  if (rd.snapshot) {
    EXPECT_TRUE(storage.ApplySnapshot(*rd.snapshot).ok());
  }
  EXPECT_TRUE(storage.Append(rd.entries).ok());
  if (rd.hard_state) storage.SetHardState(*rd.hard_state);
  return rd;
}

std::vector<std::string> Data(const std::vector<Entry>& entries) {
  std::vector<std::string> out;
  for (const Entry& e : entries) out.push_back(e.data);
  return out;
}

TEST(RawNodeTest, SingleVoterBecomesLeaderAndCommitsAfterAdvance) {
  auto storage = BootstrappedStorage({1});
  auto node = MustCreate({.id = 1, .storage = storage.get()});
  EXPECT_FALSE(node->HasReady());

  ASSERT_TRUE(node->Campaign().ok());
  EXPECT_TRUE(node->is_leader());
  EXPECT_EQ(node->leader(), 1u);

  // Ready 1: leadership, the new term and vote, and the leader's empty
  // entry to persist. Nothing is committed before it is durable.
  ASSERT_TRUE(node->HasReady());
  Ready rd = Persist(*node, *storage);
  ASSERT_TRUE(rd.soft_state.has_value());
  EXPECT_EQ(rd.soft_state->role, Role::kLeader);
  ASSERT_TRUE(rd.hard_state.has_value());
  EXPECT_EQ(*rd.hard_state, (HardState{.term = 1, .vote = 1, .commit = 1}));
  ASSERT_EQ(rd.entries.size(), 1u);
  EXPECT_EQ(rd.entries[0].index, kBootstrapIndex + 1);
  EXPECT_TRUE(rd.committed_entries.empty());
  EXPECT_TRUE(rd.must_sync);
  EXPECT_TRUE(rd.messages.empty());
  node->Advance(rd);

  // Ready 2: the empty entry is committed.
  ASSERT_TRUE(node->HasReady());
  rd = Persist(*node, *storage);
  EXPECT_TRUE(rd.entries.empty());
  ASSERT_EQ(rd.committed_entries.size(), 1u);
  EXPECT_EQ(rd.committed_entries[0].data, "");
  EXPECT_EQ(rd.hard_state->commit, 2u);
  node->Advance(rd);
  EXPECT_FALSE(node->HasReady());

  // A proposal: persisted in one Ready, committed in the next.
  ASSERT_TRUE(node->Propose("x").ok());
  ASSERT_TRUE(node->Propose("y").ok());
  rd = Persist(*node, *storage);
  EXPECT_EQ(Data(rd.entries), (std::vector<std::string>{"x", "y"}));
  EXPECT_TRUE(rd.committed_entries.empty());
  node->Advance(rd);
  rd = Persist(*node, *storage);
  EXPECT_EQ(Data(rd.committed_entries), (std::vector<std::string>{"x", "y"}));
  EXPECT_EQ(rd.committed_entries.back().index, 4u);
  EXPECT_FALSE(rd.must_sync);
  node->Advance(rd);
  EXPECT_FALSE(node->HasReady());

  EXPECT_EQ(GetErrorCode(node->Propose("")), ErrorCode::kInvalidArgument);

  const Status st = node->GetStatus();
  EXPECT_EQ(st.commit, 4u);
  EXPECT_EQ(st.applied, 4u);
  EXPECT_EQ(st.role, Role::kLeader);
  EXPECT_EQ(st.conf_state.voters, std::vector<uint64_t>{1});
}

TEST(RawNodeTest, SingleVoterElectsItselfOnTimeout) {
  auto storage = BootstrappedStorage({1});
  auto node =
      MustCreate({.id = 1, .election_tick = 10, .storage = storage.get()});
  int ticks = 0;
  while (!node->is_leader() && ticks < 100) {
    node->Tick();
    ++ticks;
  }
  EXPECT_TRUE(node->is_leader());
  EXPECT_GE(ticks, 10);
  EXPECT_LT(ticks, 20);
}

TEST(RawNodeTest, ElectionTimeoutIsSeeded) {
  auto ticks_to_lead = [](uint64_t seed) {
    auto storage = BootstrappedStorage({1});
    auto node = MustCreate({.id = 1, .storage = storage.get(), .seed = seed});
    int ticks = 0;
    while (!node->is_leader()) {
      node->Tick();
      ++ticks;
    }
    return ticks;
  };
  for (uint64_t seed = 0; seed < 5; ++seed) {
    EXPECT_EQ(ticks_to_lead(seed), ticks_to_lead(seed)) << "seed " << seed;
  }
}

TEST(RawNodeTest, ProposeFailsWhenNotLeader) {
  auto storage = BootstrappedStorage({1, 2, 3});
  auto node = MustCreate({.id = 1, .storage = storage.get()});
  absl::Status s = node->Propose("x");
  EXPECT_EQ(GetErrorCode(s), ErrorCode::kUnavailable);
  EXPECT_TRUE(IsRetryable(s));
  EXPECT_EQ(GetErrorCode(node->ProposeConfChange(
                {ConfChange::Type::kAddVoter, 4})),
            ErrorCode::kUnavailable);
}

TEST(RawNodeTest, RestartReplaysCommittedButUnappliedEntries) {
  MemoryLogStorage storage;
  ASSERT_TRUE(storage.ApplySnapshot(MakeBootstrapSnapshot({1})).ok());
  std::vector<Entry> entries;
  for (uint64_t i = 2; i <= 6; ++i) {
    entries.push_back({.term = 2, .index = i, .data = "e" + std::to_string(i)});
  }
  ASSERT_TRUE(storage.Append(entries).ok());
  storage.SetHardState({.term = 2, .vote = 1, .commit = 5});

  auto node = MustCreate({.id = 1, .storage = &storage, .applied = 3});
  ASSERT_TRUE(node->HasReady());
  Ready rd = node->GetReady();
  EXPECT_EQ(Data(rd.committed_entries),
            (std::vector<std::string>{"e4", "e5"}));
  EXPECT_TRUE(rd.entries.empty());
  EXPECT_FALSE(rd.hard_state.has_value());  // unchanged
  node->Advance(rd);
  EXPECT_FALSE(node->HasReady());
  EXPECT_EQ(node->GetStatus().applied, 5u);

  // From scratch (applied 0 is below the snapshot): everything committed.
  node = MustCreate({.id = 1, .storage = &storage});
  rd = node->GetReady();
  EXPECT_EQ(Data(rd.committed_entries),
            (std::vector<std::string>{"e2", "e3", "e4", "e5"}));
  node->Advance(rd);

  // Re-elected: the new term's empty entry commits e6 as well.
  ASSERT_TRUE(node->Campaign().ok());
  EXPECT_TRUE(node->is_leader());
  EXPECT_EQ(node->GetStatus().term, 3u);
  rd = Persist(*node, storage);
  node->Advance(rd);
  rd = Persist(*node, storage);
  EXPECT_EQ(Data(rd.committed_entries), (std::vector<std::string>{"e6", ""}));
  node->Advance(rd);
}

TEST(RawNodeTest, RestartRejectsInconsistentState) {
  MemoryLogStorage storage;
  ASSERT_TRUE(storage.ApplySnapshot(MakeBootstrapSnapshot({1})).ok());
  storage.SetHardState({.term = 1, .commit = 9});
  auto node = RawNode::Create({.id = 1, .storage = &storage});
  EXPECT_EQ(GetErrorCode(node.status()), ErrorCode::kDataCorrupted);

  storage.SetHardState({.term = 1, .commit = 1});
  node = RawNode::Create({.id = 1, .storage = &storage, .applied = 5});
  EXPECT_EQ(GetErrorCode(node.status()), ErrorCode::kInvalidArgument);
}

TEST(RawNodeTest, ConfigValidation) {
  MemoryLogStorage storage;
  EXPECT_FALSE(RawNode::Create({.id = 0, .storage = &storage}).ok());
  EXPECT_FALSE(RawNode::Create({.id = 1}).ok());
  EXPECT_FALSE(RawNode::Create(
                   {.id = 1, .election_tick = 1, .storage = &storage})
                   .ok());
  EXPECT_FALSE(RawNode::Create(
                   {.id = 1, .storage = &storage, .max_inflight_msgs = 0})
                   .ok());
}

TEST(RawNodeTest, StepRejectsLocalMessages) {
  auto storage = BootstrappedStorage({1});
  auto node = MustCreate({.id = 1, .storage = storage.get()});
  absl::Status s = node->Step({.type = MessageType::kHup, .from = 2});
  EXPECT_EQ(GetErrorCode(s), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(node->is_leader());
}

TEST(RawNodeTest, EmptyJoinerCannotCampaign) {
  MemoryLogStorage storage;
  auto node = MustCreate({.id = 4, .storage = &storage});
  ASSERT_TRUE(node->Campaign().ok());
  for (int i = 0; i < 100; ++i) node->Tick();
  EXPECT_FALSE(node->is_leader());
  EXPECT_EQ(node->GetStatus().role, Role::kFollower);
}

TEST(RawNodeTest, SingleVoterConfChangeOneAtATime) {
  auto storage = BootstrappedStorage({1});
  auto node = MustCreate({.id = 1, .storage = storage.get()});
  ASSERT_TRUE(node->Campaign().ok());
  EXPECT_EQ(GetErrorCode(node->ProposeConfChange(
                {ConfChange::Type::kRemoveNode, 1})),
            ErrorCode::kInvalidArgument);
  for (int i = 0; i < 2; ++i) node->Advance(Persist(*node, *storage));

  ASSERT_TRUE(node->ProposeConfChange({ConfChange::Type::kAddLearner, 2}).ok());
  EXPECT_EQ(GetErrorCode(node->ProposeConfChange(
                {ConfChange::Type::kAddLearner, 3})),
            ErrorCode::kUnavailable);
  node->Advance(Persist(*node, *storage));
  Ready rd = Persist(*node, *storage);
  ASSERT_EQ(rd.committed_entries.size(), 1u);
  ASSERT_EQ(rd.committed_entries[0].type, EntryType::kConfChange);
  auto cc = DecodeConfChange(rd.committed_entries[0].data);
  ASSERT_TRUE(cc.ok());
  const ConfState cs = node->ApplyConfChange(*cc);
  EXPECT_EQ(cs.voters, std::vector<uint64_t>{1});
  EXPECT_EQ(cs.learners, std::vector<uint64_t>{2});
  node->Advance(rd);
  // Applied: the next change is accepted; the leader now also probes 2.
  EXPECT_TRUE(node->ProposeConfChange({ConfChange::Type::kAddVoter, 2}).ok());
  rd = Persist(*node, *storage);
  ASSERT_EQ(rd.messages.size(), 1u);
  EXPECT_EQ(rd.messages[0].to, 2u);
  EXPECT_EQ(rd.messages[0].type, MessageType::kAppend);
}

TEST(RawNodeTest, SingleVoterReadIndex) {
  auto storage = BootstrappedStorage({1});
  auto node = MustCreate({.id = 1, .storage = storage.get()});
  EXPECT_EQ(GetErrorCode(node->ReadIndex("r0")), ErrorCode::kUnavailable);
  ASSERT_TRUE(node->Campaign().ok());
  for (int i = 0; i < 2; ++i) node->Advance(Persist(*node, *storage));
  ASSERT_TRUE(node->ReadIndex("r1").ok());
  Ready rd = Persist(*node, *storage);
  ASSERT_EQ(rd.read_states.size(), 1u);
  EXPECT_EQ(rd.read_states[0], (ReadState{2, "r1"}));
  node->Advance(rd);
}

}  // namespace
}  // namespace cairn::raft
