#include "sim_checker.h"

#include <algorithm>
#include <utility>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace cairn::raft::sim {

namespace {

std::string Describe(uint64_t term, EntryType type, const std::string& data) {
  if (type == EntryType::kConfChange) {
    return absl::StrFormat("(term %d, conf change)", term);
  }
  return absl::StrFormat("(term %d, \"%s\")", term, data);
}

}  // namespace

void SimChecker::Fail(std::string message) {
  if (!violation_) violation_ = std::move(message);
}

void SimChecker::OnLeader(uint64_t node, uint64_t term) {
  auto [it, inserted] = leader_of_term_.emplace(term, node);
  if (!inserted && it->second != node) {
    Fail(absl::StrFormat("election safety: two leaders in term %d: %d and %d",
                         term, it->second, node));
  }
}

void SimChecker::OnStored(uint64_t node, const std::vector<Entry>& entries,
                          const MemoryLogStorage& log) {
  for (const Entry& e : entries) {
    // Entries the storage skipped as already compacted are not in the log.
    if (e.index < log.FirstIndex()) continue;
    absl::StatusOr<uint64_t> prev = log.Term(e.index - 1);
    if (!prev.ok()) {
      Fail(absl::StrFormat("node %d: stored entry %d has no predecessor: %s",
                           node, e.index, prev.status().ToString()));
      return;
    }
    LogEntry want{*prev, e.type, e.data};
    auto [it, inserted] = log_entries_.emplace(
        std::make_pair(e.index, e.term), std::move(want));
    if (inserted) continue;
    const LogEntry& have = it->second;
    if (have.prev_term != *prev || have.type != e.type ||
        have.data != e.data) {
      Fail(absl::StrFormat(
          "log matching: node %d stored %s at index %d after term %d; "
          "another log has %s there after term %d",
          node, Describe(e.term, e.type, e.data), e.index, *prev,
          Describe(e.term, have.type, have.data), have.prev_term));
      return;
    }
  }
}

void SimChecker::OnSnapshotInstalled(uint64_t node, const Snapshot& snap,
                                     const StateMachine& sm) {
  const uint64_t index = snap.metadata.index;
  if (index < committed_.size() && committed_[index] &&
      committed_[index]->term != snap.metadata.term) {
    Fail(absl::StrFormat(
        "committed entry changed: node %d installed a snapshot at index %d "
        "term %d, but the committed entry there has term %d",
        node, index, snap.metadata.term, committed_[index]->term));
    return;
  }
  CheckPrefixOfHistory(node, sm, "after installing a snapshot");
  OnMembershipApplied(index, snap.metadata.conf_state);
}

void SimChecker::RecordCommitted(uint64_t node, uint64_t term,
                                 const Entry& e) {
  if (e.index >= committed_.size()) committed_.resize(e.index + 1);
  std::optional<Committed>& slot = committed_[e.index];
  if (!slot) {
    slot = Committed{e.term, e.type, e.data, term, node};
    additions_.push_back(e.index);
    if (e.type == EntryType::kNormal && !e.data.empty()) {
      committed_payloads_.insert(e.data);
    }
    return;
  }
  if (slot->term != e.term || slot->type != e.type || slot->data != e.data) {
    Fail(absl::StrFormat(
        "committed entry changed at index %d: node %d (term %d) has %s, "
        "node %d (term %d) saw %s committed",
        e.index, node, term, Describe(e.term, e.type, e.data), slot->seen_by,
        slot->seen_term, Describe(slot->term, slot->type, slot->data)));
  }
}

void SimChecker::OnCommit(uint64_t node, uint64_t term, uint64_t commit,
                          const MemoryLogStorage& log) {
  uint64_t& cursor = commit_cursor_[node];
  if (commit <= cursor) return;
  if (commit > log.LastIndex()) {
    Fail(absl::StrFormat("node %d: commit index %d beyond its last index %d",
                         node, commit, log.LastIndex()));
    return;
  }
  const uint64_t lo = std::max(cursor + 1, log.FirstIndex());
  if (lo <= commit) {
    absl::StatusOr<std::vector<Entry>> entries =
        log.Entries(lo, commit + 1, kNoLimit);
    if (!entries.ok()) {
      Fail(absl::StrFormat("node %d: reading committed entries: %s", node,
                           entries.status().ToString()));
      return;
    }
    for (const Entry& e : *entries) RecordCommitted(node, term, e);
  }
  cursor = commit;
}

void SimChecker::OnApply(uint64_t node, uint64_t term, const Entry& e,
                         const StateMachine& before) {
  if (e.index != before.applied_index + 1) {
    Fail(absl::StrFormat("node %d applied index %d right after index %d",
                         node, e.index, before.applied_index));
    return;
  }
  RecordCommitted(node, term, e);
  if (e.type != EntryType::kNormal || e.data.empty()) return;
  const size_t pos = before.payloads.size();
  if (pos == history_.size()) {
    history_.push_back(e.data);
  } else if (pos > history_.size() || history_[pos] != e.data) {
    Fail(absl::StrFormat(
        "state machine safety: node %d applied \"%s\" (index %d) as its "
        "payload #%d; the history has \"%s\" there",
        node, e.data, e.index, pos,
        pos < history_.size() ? history_[pos] : std::string("nothing")));
  }
}

void SimChecker::OnMembershipApplied(uint64_t index, const ConfState& cs) {
  if (latest_membership_.has_value() && index == latest_membership_index_) {
    // Everyone applies the one committed history: the same membership.
    auto sorted = [](std::vector<uint64_t> ids) {
      std::sort(ids.begin(), ids.end());
      return ids;
    };
    if (sorted(cs.voters) != sorted(latest_membership_->voters) ||
        sorted(cs.learners) != sorted(latest_membership_->learners)) {
      Fail(absl::StrFormat(
          "membership at index %d applied as voters {%s} learners {%s}, and elsewhere as "
          "voters {%s} learners {%s}",
          index, absl::StrJoin(cs.voters, ","), absl::StrJoin(cs.learners, ","),
          absl::StrJoin(latest_membership_->voters, ","),
          absl::StrJoin(latest_membership_->learners, ",")));
    }
    return;
  }
  if (latest_membership_.has_value() && index < latest_membership_index_) {
    return;
  }
  latest_membership_ = cs;
  latest_membership_index_ = index;
}

void SimChecker::OnRestart(uint64_t node, const StateMachine& sm) {
  // Re-verify what the restarted replica reports from scratch.
  commit_cursor_.erase(node);
  leader_cursor_.erase(node);
  CheckPrefixOfHistory(node, sm, "after a restart");
}

void SimChecker::CheckPrefixOfHistory(uint64_t node, const StateMachine& sm,
                                      const char* what) {
  const std::vector<std::string>& p = sm.payloads;
  if (p.size() > history_.size() ||
      !std::equal(p.begin(), p.end(), history_.begin())) {
    Fail(absl::StrFormat(
        "state machine safety: node %d's applied sequence (%d payloads, "
        "applied index %d) %s is not a prefix of the history (%d payloads)",
        node, p.size(), sm.applied_index, what, history_.size()));
  }
}

void SimChecker::CheckLeader(uint64_t node, uint64_t incarnation,
                             uint64_t term, const MemoryLogStorage& log) {
  LeaderCursor& c = leader_cursor_[node];
  if (c.incarnation != incarnation || c.term != term) {
    c = LeaderCursor{incarnation, term, 0};
  }
  // A leader never truncates its own log while it leads, so what was
  // checked stays checked.
  for (; c.next < additions_.size(); ++c.next) {
    const uint64_t index = additions_[c.next];
    const Committed& rec = *committed_[index];
    if (rec.seen_term > term) continue;
    // Compacted entries live on in the state machine, which is checked
    // against the history instead.
    if (index < log.FirstIndex()) continue;
    absl::StatusOr<uint64_t> t = log.Term(index);
    if (index > log.LastIndex() || !t.ok() || *t != rec.term) {
      Fail(absl::StrFormat(
          "leader completeness: node %d, leader of term %d, lacks committed "
          "entry %d %s (seen committed by node %d in term %d); its log has "
          "%s there",
          node, term, index, Describe(rec.term, rec.type, rec.data),
          rec.seen_by, rec.seen_term,
          index > log.LastIndex()
              ? std::string("nothing")
              : absl::StrFormat("term %d", t.ok() ? *t : 0)));
      return;
    }
  }
}

void SimChecker::OnReadIssued(const std::string& context) {
  reads_[context] = max_committed();
}

void SimChecker::OnReadState(uint64_t node, const ReadState& rs) {
  auto it = reads_.find(rs.context);
  if (it == reads_.end()) return;
  ++reads_checked_;
  if (rs.index < it->second) {
    Fail(absl::StrFormat(
        "stale read: node %d answered read %s with index %d, but index %d "
        "was known committed before the read was issued",
        node, rs.context, rs.index, it->second));
  }
}

}  // namespace cairn::raft::sim
