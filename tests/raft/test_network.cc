#include "test_network.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "raft/bootstrap.h"
#include "raft/conf_change.h"

namespace cairn::raft::testing {

std::string EncodeStateMachine(const std::vector<std::string>& applied) {
  return absl::StrJoin(applied, "\n");
}

std::vector<std::string> DecodeStateMachine(const std::string& data) {
  if (data.empty()) return {};
  return absl::StrSplit(data, '\n');
}

TestNetwork::TestNetwork(const std::vector<uint64_t>& voters, uint64_t seed,
                         Config base)
    : seed_(seed) {
  for (uint64_t id : voters) {
    auto storage = std::make_unique<MemoryLogStorage>();
    EXPECT_TRUE(storage->ApplySnapshot(MakeBootstrapSnapshot(voters)).ok());
    AddReplica(id, std::move(storage), base);
  }
}

void TestNetwork::AddReplica(uint64_t id,
                             std::unique_ptr<MemoryLogStorage> storage,
                             Config base) {
  auto r = std::make_unique<Replica>();
  r->id = id;
  r->config = base;
  r->config.id = id;
  r->config.seed = seed_;
  r->storage = std::move(storage);
  r->config.storage = r->storage.get();
  auto [hs, cs] = *r->storage->InitialState();
  r->conf_state = cs;
  r->applied_index = std::max(r->config.applied, r->storage->FirstIndex() - 1);
  r->config.applied = r->applied_index;
  auto node = RawNode::Create(r->config);
  ASSERT_TRUE(node.ok()) << node.status();
  r->node = *std::move(node);
  replicas_[id] = std::move(r);
}

void TestNetwork::Restart(uint64_t id) {
  Replica& r = replica(id);
  r.config.applied = r.applied_index;
  auto node = RawNode::Create(r.config);
  ASSERT_TRUE(node.ok()) << node.status();
  r.node = *std::move(node);
  // In-flight messages from the old incarnation may still arrive; that is
  // what a real network does too.
}

std::vector<uint64_t> TestNetwork::ids() const {
  std::vector<uint64_t> out;
  for (const auto& [id, r] : replicas_) out.push_back(id);
  return out;
}

bool TestNetwork::Dropped(const Message& m) const {
  if (down_.count(m.from) || down_.count(m.to)) return true;
  if (cut_.count({m.from, m.to})) return true;
  if (!replicas_.count(m.to)) return true;
  return drop_filter_ && drop_filter_(m);
}

void TestNetwork::HandleReady(Replica& r) {
  Ready rd = r.node->GetReady();
  if (rd.soft_state && rd.soft_state->role == Role::kLeader) {
    const uint64_t term = r.node->GetStatus().term;
    auto [it, inserted] = leader_of_term_.emplace(term, r.id);
    if (!inserted && it->second != r.id && !safety_violation_) {
      safety_violation_ = true;
      safety_message_ = absl::StrFormat("two leaders in term %d: %d and %d",
                                        term, it->second, r.id);
    }
  }
  if (rd.snapshot) {
    ASSERT_TRUE(r.storage->ApplySnapshot(*rd.snapshot).ok());
    r.applied = DecodeStateMachine(rd.snapshot->data);
    r.applied_index = rd.snapshot->metadata.index;
    r.conf_state = rd.snapshot->metadata.conf_state;
    ++r.snapshots_applied;
  }
  ASSERT_TRUE(r.storage->Append(rd.entries).ok());
  if (rd.hard_state) r.storage->SetHardState(*rd.hard_state);
  for (Message& m : rd.messages) queue_.push_back(std::move(m));
  for (const Entry& e : rd.committed_entries) {
    ASSERT_EQ(e.index, r.applied_index + 1) << "node " << r.id;
    auto [it, inserted] =
        applied_history_.emplace(e.index, std::make_pair(e.term, e.data));
    if (!inserted && it->second != std::make_pair(e.term, e.data) &&
        !safety_violation_) {
      safety_violation_ = true;
      safety_message_ = absl::StrFormat(
          "node %d applied (%d, %s) at %d, another node (%d, %s)", r.id,
          e.term, e.data, e.index, it->second.first, it->second.second);
    }
    if (e.type == EntryType::kConfChange) {
      auto cc = DecodeConfChange(e.data);
      ASSERT_TRUE(cc.ok()) << cc.status();
      r.conf_state = r.node->ApplyConfChange(*cc);
      r.storage->SetConfState(r.conf_state);
    } else if (!e.data.empty()) {
      r.applied.push_back(e.data);
    }
    r.applied_index = e.index;
  }
  for (ReadState& rs : rd.read_states) r.read_states.push_back(rs);
  r.node->Advance(rd);
}

void TestNetwork::Deliver(const Message& m) {
  const bool dropped = Dropped(m);
  if (!dropped) {
    absl::Status s = node(m.to).Step(m);
    EXPECT_TRUE(s.ok()) << s;
  }
  // The transport reports the outcome of every snapshot it carried.
  if (m.type == MessageType::kSnapshot && replicas_.count(m.from) &&
      !down_.count(m.from)) {
    node(m.from).ReportSnapshot(m.to, !dropped);
  }
}

void TestNetwork::Stabilize() {
  for (int round = 0; round < 10000; ++round) {
    bool any = false;
    for (auto& [id, r] : replicas_) {
      if (down_.count(id)) continue;
      while (r->node->HasReady()) {
        HandleReady(*r);
        any = true;
      }
    }
    if (queue_.empty() && !any) return;
    std::deque<Message> batch;
    batch.swap(queue_);
    if (reorder_) std::shuffle(batch.begin(), batch.end(), *reorder_);
    for (const Message& m : batch) Deliver(m);
  }
  ADD_FAILURE() << "network did not stabilize";
}

void TestNetwork::TickAll(int ticks) {
  for (int i = 0; i < ticks; ++i) {
    for (auto& [id, r] : replicas_) {
      if (!down_.count(id)) r->node->Tick();
    }
    Stabilize();
  }
}

uint64_t TestNetwork::TickUntilLeader(int max_ticks) {
  for (int i = 0; i < max_ticks; ++i) {
    if (uint64_t l = Leader()) return l;
    TickAll();
  }
  return Leader();
}

void TestNetwork::SetDown(uint64_t id, bool down) {
  if (down) {
    down_.insert(id);
  } else {
    down_.erase(id);
  }
}

void TestNetwork::Cut(uint64_t a, uint64_t b) {
  cut_.insert({a, b});
  cut_.insert({b, a});
}

void TestNetwork::Isolate(uint64_t id) {
  for (const auto& [other, r] : replicas_) {
    if (other != id) Cut(id, other);
  }
}

void TestNetwork::Heal() {
  cut_.clear();
  down_.clear();
  drop_filter_ = nullptr;
}

uint64_t TestNetwork::Leader() const {
  uint64_t leader = 0;
  uint64_t term = 0;
  for (const auto& [id, r] : replicas_) {
    if (down_.count(id) || !r->node->is_leader()) continue;
    const uint64_t t = r->node->GetStatus().term;
    if (t >= term) {
      term = t;
      leader = id;
    }
  }
  return leader;
}

std::vector<Entry> TestNetwork::StoredLog(uint64_t id) const {
  const MemoryLogStorage& s = *replicas_.at(id)->storage;
  if (s.LastIndex() < s.FirstIndex()) return {};
  return *s.Entries(s.FirstIndex(), s.LastIndex() + 1, kNoLimit);
}

void TestNetwork::CompactLog(uint64_t id) {
  Replica& r = replica(id);
  auto snap = r.storage->CreateSnapshot(r.applied_index, r.conf_state,
                                        EncodeStateMachine(r.applied));
  ASSERT_TRUE(snap.ok()) << snap.status();
  ASSERT_TRUE(r.storage->Compact(r.applied_index).ok());
}

std::string TestNetwork::DebugString() const {
  std::string out;
  for (const auto& [id, r] : replicas_) {
    const Status st = r->node->GetStatus();
    absl::StrAppendFormat(
        &out,
        "node %d%s: %s term=%d lead=%d commit=%d applied=%d first=%d "
        "voters=[%s] learners=[%s] snapshots=%d\n",
        id, down_.count(id) ? " (down)" : "", RoleName(st.role), st.term,
        st.lead, st.commit, st.applied, r->storage->FirstIndex(),
        absl::StrJoin(st.conf_state.voters, ","),
        absl::StrJoin(st.conf_state.learners, ","), r->snapshots_applied);
    for (const auto& [peer, pr] : st.progress) {
      absl::StrAppendFormat(&out, "  -> %d: %s\n", peer, pr.DebugString());
    }
  }
  return out;
}

void TestNetwork::CheckSafety() const {
  EXPECT_FALSE(safety_violation_) << safety_message_;
}

}  // namespace cairn::raft::testing
