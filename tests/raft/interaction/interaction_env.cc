#include "interaction_env.h"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/error_code.h"
#include "interaction_format.h"
#include "raft/bootstrap.h"
#include "raft/conf_change.h"

namespace cairn::raft::interaction {

namespace {

// Snapshot data: one `index:data` line per applied entry, so that a node
// restored from a snapshot can itself snapshot at any later index.
std::string EncodeState(
    const std::vector<std::pair<uint64_t, std::string>>& state,
    uint64_t upto) {
  std::vector<std::string> lines;
  for (const auto& [index, data] : state) {
    if (index <= upto) lines.push_back(absl::StrCat(index, ":", data));
  }
  return absl::StrJoin(lines, "\n");
}

std::vector<std::pair<uint64_t, std::string>> DecodeState(
    const std::string& data) {
  std::vector<std::pair<uint64_t, std::string>> out;
  if (data.empty()) return out;
  for (absl::string_view line : absl::StrSplit(data, '\n')) {
    std::pair<absl::string_view, absl::string_view> kv =
        absl::StrSplit(line, absl::MaxSplits(':', 1));
    uint64_t index = 0;
    (void)absl::SimpleAtoi(kv.first, &index);
    out.emplace_back(index, std::string(kv.second));
  }
  return out;
}

}  // namespace

absl::StatusOr<InteractionEnv::Node*> InteractionEnv::Get(uint64_t id) {
  auto it = nodes_.find(id);
  if (it == nodes_.end()) {
    return absl::NotFoundError(absl::StrFormat("no node %d", id));
  }
  return &it->second;
}

absl::StatusOr<RawNode*> InteractionEnv::node(uint64_t id) {
  absl::StatusOr<Node*> n = Get(id);
  if (!n.ok()) return n.status();
  if ((*n)->down) {
    return absl::FailedPreconditionError(absl::StrFormat("node %d is down", id));
  }
  return (*n)->raw.get();
}

std::vector<uint64_t> InteractionEnv::ids() const {
  std::vector<uint64_t> out;
  for (const auto& [id, n] : nodes_) out.push_back(id);
  return out;
}

absl::Status InteractionEnv::AddNode(uint64_t id,
                                     std::unique_ptr<MemoryLogStorage> storage,
                                     const NodeOptions& options) {
  if (id == 0 || nodes_.count(id)) {
    return absl::InvalidArgumentError(absl::StrFormat("bad node id %d", id));
  }
  Node n;
  n.id = id;
  n.config = Config{.id = id,
                    .election_tick = options.election_tick,
                    .heartbeat_tick = options.heartbeat_tick,
                    .max_size_per_msg = options.max_size_per_msg,
                    .max_inflight_msgs = options.max_inflight,
                    .pre_vote = options.pre_vote,
                    .check_quorum = options.check_quorum,
                    .announce_commits = options.announce_commits,
                    .seed = options.seed};
  n.storage = std::move(storage);
  n.config.storage = n.storage.get();
  absl::StatusOr<std::pair<HardState, ConfState>> init =
      n.storage->InitialState();
  if (!init.ok()) return init.status();
  n.conf_state = init->second;
  n.applied_index = n.storage->FirstIndex() - 1;
  n.config.applied = n.applied_index;
  absl::StatusOr<std::unique_ptr<RawNode>> raw = RawNode::Create(n.config);
  if (!raw.ok()) return raw.status();
  n.raw = *std::move(raw);
  nodes_.emplace(id, std::move(n));
  return absl::OkStatus();
}

absl::Status InteractionEnv::Bootstrap(const std::vector<uint64_t>& voters,
                                       const std::vector<uint64_t>& learners,
                                       const NodeOptions& options) {
  std::vector<uint64_t> all = voters;
  all.insert(all.end(), learners.begin(), learners.end());
  for (uint64_t id : all) {
    auto storage = std::make_unique<MemoryLogStorage>();
    CAIRN_RETURN_IF_ERROR(
        storage->ApplySnapshot(MakeBootstrapSnapshot(voters, learners)));
    CAIRN_RETURN_IF_ERROR(AddNode(id, std::move(storage), options));
  }
  return absl::OkStatus();
}

void InteractionEnv::Reset() {
  nodes_.clear();
  queue_.clear();
  cut_.clear();
  counts_.clear();
  applied_history_.clear();
  leader_of_term_.clear();
  violations_.clear();
}

absl::Status InteractionEnv::AddEmptyNode(uint64_t id,
                                          const NodeOptions& options) {
  return AddNode(id, std::make_unique<MemoryLogStorage>(), options);
}

// --- Ready -----------------------------------------------------------------

absl::Status InteractionEnv::Apply(Node& n, const Entry& e,
                                   std::vector<std::string>& out) {
  if (e.index != n.applied_index + 1) {
    return absl::InternalError(absl::StrFormat(
        "node %d applies %d after %d", n.id, e.index, n.applied_index));
  }
  auto [it, inserted] =
      applied_history_.emplace(e.index, std::make_pair(e.term, e.data));
  if (!inserted && it->second != std::make_pair(e.term, e.data)) {
    const Entry first{.term = it->second.first,
                      .index = e.index,
                      .data = it->second.second};
    violations_.push_back(absl::StrFormat(
        "node %d applied %s where another node applied %s", n.id,
        FormatEntry(e), FormatEntry(first)));
  }
  if (e.type == EntryType::kConfChange) {
    absl::StatusOr<ConfChange> cc = DecodeConfChange(e.data);
    if (!cc.ok()) return cc.status();
    n.conf_state = n.raw->ApplyConfChange(*cc);
    n.storage->SetConfState(n.conf_state);
    out.push_back(absl::StrCat("  Applied ", FormatEntry(e), ": ",
                               FormatConfState(n.conf_state)));
  } else if (!e.data.empty()) {
    n.state.emplace_back(e.index, e.data);
  }
  n.applied_index = e.index;
  return absl::OkStatus();
}

absl::StatusOr<std::string> InteractionEnv::ProcessReady(uint64_t id,
                                                         bool show_messages) {
  absl::StatusOr<Node*> got = Get(id);
  if (!got.ok()) return got.status();
  Node& n = **got;
  if (n.down || !n.raw->HasReady()) return std::string();
  Ready rd = n.raw->GetReady();
  std::vector<std::string> out;
  if (rd.soft_state) {
    out.push_back(absl::StrFormat("  State:%s Lead:%d",
                                  FormatRole(rd.soft_state->role),
                                  rd.soft_state->lead));
    if (rd.soft_state->role == Role::kLeader) {
      const uint64_t term = n.raw->GetStatus().term;
      auto [it, inserted] = leader_of_term_.emplace(term, id);
      if (!inserted && it->second != id) {
        violations_.push_back(absl::StrFormat(
            "two leaders in term %d: %d and %d", term, it->second, id));
      }
    }
  }
  if (rd.hard_state) out.push_back("  " + FormatHardState(*rd.hard_state));
  // Persist in the order raw_node.h prescribes: snapshot, entries, state.
  if (rd.snapshot) {
    out.push_back("  Snapshot " + FormatSnapshotMeta(rd.snapshot->metadata));
    CAIRN_RETURN_IF_ERROR(n.storage->ApplySnapshot(*rd.snapshot));
    n.state = DecodeState(rd.snapshot->data);
    n.applied_index = rd.snapshot->metadata.index;
    n.conf_state = rd.snapshot->metadata.conf_state;
  }
  if (!rd.entries.empty()) {
    out.push_back("  Entries:" + FormatEntries(rd.entries));
    CAIRN_RETURN_IF_ERROR(n.storage->Append(rd.entries));
  }
  if (rd.hard_state) n.storage->SetHardState(*rd.hard_state);
  std::vector<std::string> sent;
  for (Message& m : rd.messages) {
    queue_.push_back(InFlight{id, std::move(m)});
    if (show_messages) sent.push_back("  send " + FormatInFlight(queue_.back()));
  }
  if (!rd.committed_entries.empty()) {
    out.push_back("  Committed:" + FormatEntries(rd.committed_entries));
  }
  for (const Entry& e : rd.committed_entries) {
    CAIRN_RETURN_IF_ERROR(Apply(n, e, out));
  }
  for (const ReadState& rs : rd.read_states) {
    out.push_back(absl::StrFormat("  ReadState Index:%d Ctx:%s", rs.index,
                                  rs.context));
  }
  n.raw->Advance(rd);
  out.insert(out.end(), sent.begin(), sent.end());
  if (out.empty()) return std::string();  // only messages, not shown
  return absl::StrCat("> ", id, " ready\n", absl::StrJoin(out, "\n"));
}

// --- Network ---------------------------------------------------------------

bool InteractionEnv::LinkDown(const InFlight& f) const {
  auto to = nodes_.find(f.msg.to);
  if (to == nodes_.end() || to->second.down) return true;
  return cut_.count({f.sender, f.msg.to}) > 0;
}

std::string InteractionEnv::FormatInFlight(const InFlight& f) const {
  return absl::StrFormat("%d->%d %s", f.sender, f.msg.to,
                         FormatMessageBody(f.msg));
}

std::vector<std::string> InteractionEnv::StepInto(const InFlight& f,
                                                  bool dropped) {
  std::vector<std::string> notes;
  if (!dropped) {
    absl::Status s = nodes_.at(f.msg.to).raw->Step(f.msg);
    if (!s.ok()) notes.push_back("  " + FormatError(s));
    std::string key(MessageName(f.msg.type));
    if (f.msg.reject) key += "(rejected)";
    ++counts_[key];
  }
  // The transport reports the fate of every snapshot it carried, as
  // raw_node.h requires; otherwise the leader would wait forever.
  if (f.msg.type == MessageType::kSnapshot) {
    auto sender = nodes_.find(f.sender);
    if (sender != nodes_.end() && !sender->second.down) {
      sender->second.raw->ReportSnapshot(f.msg.to, !dropped);
      notes.push_back(absl::StrFormat("  %d learns: snapshot to %d %s",
                                      f.sender, f.msg.to,
                                      dropped ? "failed" : "delivered"));
    }
  }
  return notes;
}

std::string InteractionEnv::Deliver(const MessageFilter& filter, bool drop) {
  std::deque<InFlight> batch;
  std::deque<InFlight> keep;
  for (InFlight& f : queue_) {
    const bool match =
        (filter.count == 0 || batch.size() < filter.count) &&
        (filter.from == 0 || f.sender == filter.from) &&
        (filter.to == 0 || f.msg.to == filter.to) &&
        (filter.type.empty() || MessageName(f.msg.type) == filter.type);
    (match ? batch : keep).push_back(std::move(f));
  }
  queue_.swap(keep);
  std::vector<Delivery> shown;
  for (const InFlight& f : batch) {
    const bool dropped = drop || LinkDown(f);
    std::string text = FormatInFlight(f);
    if (dropped) text += " DROPPED";
    std::vector<std::string> notes = StepInto(f, dropped);
    shown.push_back(Delivery{
        .text = std::move(text),
        .to = f.msg.to,
        .kind = absl::StrCat(f.sender, MessageName(f.msg.type), dropped),
        .notes = std::move(notes)});
  }
  return CondenseDeliveries(shown);
}

std::string InteractionEnv::PendingMessages() const {
  std::vector<std::string> out;
  for (const InFlight& f : queue_) out.push_back(FormatInFlight(f));
  return out.empty() ? "no messages" : absl::StrJoin(out, "\n");
}

absl::StatusOr<std::string> InteractionEnv::Stabilize() {
  std::vector<std::string> out;
  for (int round = 0; round < 1000; ++round) {
    bool any_ready = false;
    for (auto& [id, n] : nodes_) {
      while (!n.down && n.raw->HasReady()) {
        any_ready = true;
        absl::StatusOr<std::string> r = ProcessReady(id, false);
        if (!r.ok()) return r.status();
        if (!r->empty()) out.push_back(*r);
      }
    }
    if (!any_ready && queue_.empty()) return absl::StrJoin(out, "\n");
    std::string delivered = Deliver(MessageFilter{}, /*drop=*/false);
    if (!delivered.empty()) out.push_back(delivered);
  }
  return absl::InternalError("stabilize: no quiescence after 1000 rounds");
}

// --- Time and faults ------------------------------------------------------

absl::Status InteractionEnv::Tick(uint64_t id, int count) {
  absl::StatusOr<RawNode*> raw = node(id);
  if (!raw.ok()) return raw.status();
  for (int i = 0; i < count; ++i) (*raw)->Tick();
  return absl::OkStatus();
}

absl::StatusOr<std::string> InteractionEnv::TickElection(uint64_t id) {
  absl::StatusOr<Node*> got = Get(id);
  if (!got.ok()) return got.status();
  Node& n = **got;
  if (n.down) return absl::FailedPreconditionError("node is down");
  RawNode& raw = *n.raw;
  const int timeout = n.config.election_tick;
  if (raw.is_leader()) {
    for (int i = 0; i < timeout && raw.is_leader(); ++i) raw.Tick();
    return std::string();
  }
  // A Ready right after a tick means the timeout fired (messages or a role
  // change), so the node must start without one.
  if (raw.HasReady()) {
    return absl::FailedPreconditionError(absl::StrFormat(
        "tick-election %d: process its Ready first", id));
  }
  // The randomised timeout is below 2 * election_tick.
  for (int i = 0; i < 2 * timeout; ++i) {
    raw.Tick();
    if (raw.HasReady()) return std::string();
  }
  return absl::StrFormat("node %d did not campaign", id);
}

absl::StatusOr<std::string> InteractionEnv::Crash(uint64_t id) {
  absl::StatusOr<Node*> got = Get(id);
  if (!got.ok()) return got.status();
  (*got)->down = true;
  std::deque<InFlight> keep;
  std::vector<std::string> out;
  for (InFlight& f : queue_) {
    if (f.sender == id) {
      out.push_back(FormatInFlight(f) + " DROPPED");
    } else {
      keep.push_back(std::move(f));
    }
  }
  queue_.swap(keep);
  return absl::StrJoin(out, "\n");
}

absl::Status InteractionEnv::Restart(uint64_t id) {
  absl::StatusOr<Node*> got = Get(id);
  if (!got.ok()) return got.status();
  Node& n = **got;
  n.config.applied = n.applied_index;
  absl::StatusOr<std::unique_ptr<RawNode>> raw = RawNode::Create(n.config);
  if (!raw.ok()) return raw.status();
  n.raw = *std::move(raw);
  n.down = false;
  return absl::OkStatus();
}

void InteractionEnv::Isolate(uint64_t id) {
  for (const auto& [other, n] : nodes_) {
    if (other == id) continue;
    cut_.insert({id, other});
    cut_.insert({other, id});
  }
}

absl::Status InteractionEnv::Compact(uint64_t id, uint64_t index) {
  absl::StatusOr<Node*> got = Get(id);
  if (!got.ok()) return got.status();
  Node& n = **got;
  if (index > n.applied_index) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "compact %d: index %d beyond applied %d", id, index, n.applied_index));
  }
  // The membership as of `index` is the current one unless a conf change
  // was applied after it; scenarios compact right after applying.
  absl::StatusOr<Snapshot> snap = n.storage->CreateSnapshot(
      index, n.conf_state, EncodeState(n.state, index));
  if (!snap.ok()) return snap.status();
  return n.storage->Compact(index);
}

// --- Inspection ------------------------------------------------------------

absl::StatusOr<std::string> InteractionEnv::StatusLine(uint64_t id) {
  absl::StatusOr<Node*> got = Get(id);
  if (!got.ok()) return got.status();
  const Node& n = **got;
  const Status st = n.raw->GetStatus();
  return absl::StrFormat(
      "%d: %s Term:%d Vote:%d Lead:%d Commit:%d Applied:%d Last:%d %s%s", id,
      FormatRole(st.role), st.term, st.vote, st.lead, st.commit, st.applied,
      n.storage->LastIndex(), FormatConfState(st.conf_state),
      n.down ? " (down)" : "");
}

absl::StatusOr<std::string> InteractionEnv::RaftLog(uint64_t id) {
  absl::StatusOr<Node*> got = Get(id);
  if (!got.ok()) return got.status();
  const MemoryLogStorage& s = *(*got)->storage;
  const absl::StatusOr<uint64_t> snap_term = s.Term(s.FirstIndex() - 1);
  std::vector<Entry> entries;
  if (s.LastIndex() >= s.FirstIndex()) {
    absl::StatusOr<std::vector<Entry>> e =
        s.Entries(s.FirstIndex(), s.LastIndex() + 1, kNoLimit);
    if (!e.ok()) return e.status();
    entries = *std::move(e);
  }
  return absl::StrFormat("%d: Snap:%d/%d Entries:%s", id,
                         snap_term.ok() ? *snap_term : 0, s.FirstIndex() - 1,
                         FormatEntries(entries));
}

absl::StatusOr<std::string> InteractionEnv::Applied(uint64_t id) {
  absl::StatusOr<Node*> got = Get(id);
  if (!got.ok()) return got.status();
  const auto& state = (*got)->state;
  std::vector<std::string> data;
  for (size_t i = 0; i < state.size(); ++i) {
    // A long state machine shows its ends only.
    if (state.size() > 8 && i == 3) {
      data.push_back(absl::StrFormat("...(%d more)", state.size() - 6));
      i = state.size() - 4;
      continue;
    }
    data.push_back(state[i].second);
  }
  return absl::StrFormat("%d: Applied:%d Data:[%s]", id,
                         (*got)->applied_index, absl::StrJoin(data, " "));
}

absl::StatusOr<std::string> InteractionEnv::ProgressLines(uint64_t id) {
  absl::StatusOr<Node*> got = Get(id);
  if (!got.ok()) return got.status();
  const Status st = (*got)->raw->GetStatus();
  if (st.role != Role::kLeader) return absl::StrFormat("%d: not leader", id);
  std::vector<std::string> out;
  for (const auto& [peer, pr] : st.progress) {
    out.push_back(absl::StrFormat("%d->%d %s", id, peer, FormatProgress(pr)));
  }
  return absl::StrJoin(out, "\n");
}

std::string InteractionEnv::TakeMessageCounts() {
  std::vector<std::string> out;
  for (const auto& [type, count] : counts_) {
    out.push_back(absl::StrFormat("%s:%d", type, count));
  }
  counts_.clear();
  return out.empty() ? "no messages delivered" : absl::StrJoin(out, " ");
}

std::string InteractionEnv::CheckSafety() const {
  std::vector<std::string> out = violations_;
  // Committed prefixes agree: compare the stored logs pairwise up to the
  // smaller of the two commit indexes.
  for (auto a = nodes_.begin(); a != nodes_.end(); ++a) {
    for (auto b = std::next(a); b != nodes_.end(); ++b) {
      const uint64_t upto = std::min(a->second.raw->GetStatus().commit,
                                     b->second.raw->GetStatus().commit);
      const MemoryLogStorage& sa = *a->second.storage;
      const MemoryLogStorage& sb = *b->second.storage;
      const uint64_t from = std::max(sa.FirstIndex(), sb.FirstIndex());
      for (uint64_t i = from; i <= upto; ++i) {
        absl::StatusOr<uint64_t> ta = sa.Term(i);
        absl::StatusOr<uint64_t> tb = sb.Term(i);
        if (ta.ok() && tb.ok() && *ta != *tb) {
          out.push_back(absl::StrFormat(
              "nodes %d and %d committed different terms at %d", a->first,
              b->first, i));
          break;
        }
      }
    }
  }
  if (!out.empty()) return absl::StrJoin(out, "\n");
  std::vector<std::string> applied;
  for (const auto& [id, n] : nodes_) {
    applied.push_back(absl::StrFormat("%d@%d", id, n.applied_index));
  }
  return absl::StrCat("safe; applied ", absl::StrJoin(applied, " "));
}

}  // namespace cairn::raft::interaction
