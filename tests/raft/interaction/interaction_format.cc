#include "interaction_format.h"

#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/error_code.h"
#include "raft/conf_change.h"

namespace cairn::raft::interaction {

std::string MessageName(MessageType type) {
  switch (type) {
    case MessageType::kAppend: return "MsgApp";
    case MessageType::kAppendResponse: return "MsgAppResp";
    case MessageType::kVote: return "MsgVote";
    case MessageType::kVoteResponse: return "MsgVoteResp";
    case MessageType::kPreVote: return "MsgPreVote";
    case MessageType::kPreVoteResponse: return "MsgPreVoteResp";
    case MessageType::kHeartbeat: return "MsgHeartbeat";
    case MessageType::kHeartbeatResponse: return "MsgHeartbeatResp";
    case MessageType::kSnapshot: return "MsgSnap";
    case MessageType::kTimeoutNow: return "MsgTimeoutNow";
    case MessageType::kReadIndex: return "MsgReadIndex";
    case MessageType::kReadIndexResponse: return "MsgReadIndexResp";
    case MessageType::kTransferLeader: return "MsgTransferLeader";
    default: return std::string(MessageTypeName(type));
  }
}

namespace {

// Runs longer than this collapse to `first .. last`.
constexpr size_t kMaxRunShown = 5;
// Runs of deliveries longer than this collapse to first, count, last.
constexpr size_t kMaxDeliveryRunShown = 8;

std::string FormatConfChange(const std::string& data) {
  absl::StatusOr<ConfChange> cc = DecodeConfChange(data);
  if (!cc.ok()) return "cc:<corrupt>";
  switch (cc->type) {
    case ConfChange::Type::kAddVoter:
      return absl::StrFormat("cc:add-voter(%d)", cc->node_id);
    case ConfChange::Type::kAddLearner:
      return absl::StrFormat("cc:add-learner(%d)", cc->node_id);
    case ConfChange::Type::kRemoveNode:
      return absl::StrFormat("cc:remove(%d)", cc->node_id);
  }
  return "cc:?";
}

std::string Ctx(const Message& m) {
  return m.context.empty() ? "" : absl::StrCat(" Ctx:", m.context);
}

}  // namespace

std::string FormatEntry(const Entry& e) {
  std::string out = absl::StrFormat("%d/%d", e.term, e.index);
  if (e.type == EntryType::kConfChange) {
    absl::StrAppend(&out, " ", FormatConfChange(e.data));
  } else if (!e.data.empty()) {
    absl::StrAppendFormat(&out, " \"%s\"", e.data);
  }
  return out;
}

std::string FormatEntries(const std::vector<Entry>& entries) {
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < entries.size()) {
    size_t j = i;
    while (j + 1 < entries.size() && entries[j + 1].term == entries[i].term &&
           entries[j + 1].type == EntryType::kNormal &&
           entries[i].type == EntryType::kNormal) {
      ++j;
    }
    if (j - i + 1 > kMaxRunShown) {
      parts.push_back(absl::StrFormat("%s .. %s (%d entries)",
                                      FormatEntry(entries[i]),
                                      FormatEntry(entries[j]), j - i + 1));
    } else {
      for (size_t k = i; k <= j; ++k) parts.push_back(FormatEntry(entries[k]));
    }
    i = j + 1;
  }
  return absl::StrCat("[", absl::StrJoin(parts, ", "), "]");
}

std::string FormatConfState(const ConfState& cs) {
  std::string out = absl::StrCat("Voters:[", absl::StrJoin(cs.voters, " "), "]");
  if (!cs.learners.empty()) {
    absl::StrAppend(&out, " Learners:[", absl::StrJoin(cs.learners, " "), "]");
  }
  return out;
}

std::string FormatSnapshotMeta(const SnapshotMetadata& meta) {
  return absl::StrFormat("Index:%d Term:%d %s", meta.index, meta.term,
                         FormatConfState(meta.conf_state));
}

std::string FormatHardState(const HardState& hs) {
  return absl::StrFormat("HardState Term:%d Vote:%d Commit:%d", hs.term,
                         hs.vote, hs.commit);
}

std::string FormatProgress(const Progress& pr) {
  return absl::StrCat(pr.DebugString(),
                      pr.recent_active ? "" : " inactive",
                      pr.probe_sent ? " paused" : "");
}

std::string FormatRole(Role role) { return std::string(RoleName(role)); }

std::string FormatError(const absl::Status& status) {
  return absl::StrCat(
      "error: ", std::string(GetErrorCodeInfo(GetErrorCode(status)).name),
      ": ", status.message());
}

std::string CondenseDeliveries(const std::vector<Delivery>& deliveries) {
  // Identical consecutive deliveries to one node form a group (a line with
  // a count); consecutive groups of one kind to one node form a run.
  struct Group {
    size_t first;  // index into deliveries
    int count;
    size_t run;
  };
  std::vector<Group> groups;
  std::vector<std::vector<size_t>> runs;  // group indexes
  std::map<uint64_t, size_t> last_group;  // recipient -> its latest group
  for (size_t i = 0; i < deliveries.size(); ++i) {
    const Delivery& d = deliveries[i];
    auto it = last_group.find(d.to);
    if (it != last_group.end() && d.notes.empty()) {
      Group& g = groups[it->second];
      const Delivery& prev = deliveries[g.first];
      if (prev.notes.empty() && prev.text == d.text) {
        ++g.count;
        continue;
      }
      if (prev.notes.empty() && prev.kind == d.kind) {
        last_group[d.to] = groups.size();
        runs[g.run].push_back(groups.size());
        groups.push_back(Group{i, 1, g.run});
        continue;
      }
    }
    last_group[d.to] = groups.size();
    runs.push_back({groups.size()});
    groups.push_back(Group{i, 1, runs.size() - 1});
  }
  std::vector<std::string> out;
  auto emit = [&](const Group& g) {
    const Delivery& d = deliveries[g.first];
    out.push_back(g.count > 1 ? absl::StrFormat("%s (x%d)", d.text, g.count)
                              : d.text);
    out.insert(out.end(), d.notes.begin(), d.notes.end());
  };
  for (size_t gi = 0; gi < groups.size(); ++gi) {
    const std::vector<size_t>& run = runs[groups[gi].run];
    if (run.size() <= kMaxDeliveryRunShown) {
      emit(groups[gi]);
    } else if (gi == run.front()) {
      int hidden = 0;
      for (size_t k = 1; k + 1 < run.size(); ++k) hidden += groups[run[k]].count;
      emit(groups[run.front()]);
      out.push_back(absl::StrFormat("... %d more ...", hidden));
      emit(groups[run.back()]);
    }
  }
  return absl::StrJoin(out, "\n");
}

std::string FormatMessageBody(const Message& m) {
  std::string out = absl::StrFormat("%s Term:%d", MessageName(m.type), m.term);
  switch (m.type) {
    case MessageType::kAppend:
      absl::StrAppendFormat(&out, " Log:%d/%d Commit:%d", m.log_term, m.index,
                            m.commit);
      if (!m.entries.empty()) {
        absl::StrAppend(&out, " Entries:", FormatEntries(m.entries));
      }
      break;
    case MessageType::kAppendResponse:
      absl::StrAppendFormat(&out, " Index:%d", m.index);
      if (m.reject) {
        absl::StrAppendFormat(&out, " Rejected Hint:%d HintTerm:%d",
                              m.reject_hint, m.log_term);
      }
      break;
    case MessageType::kVote:
    case MessageType::kPreVote:
      absl::StrAppendFormat(&out, " Log:%d/%d", m.log_term, m.index);
      if (!m.context.empty()) absl::StrAppend(&out, " Transfer");
      break;
    case MessageType::kVoteResponse:
    case MessageType::kPreVoteResponse:
      if (m.reject) absl::StrAppend(&out, " Rejected");
      break;
    case MessageType::kHeartbeat:
      // m.index carries the leader's tick count for lease reads: not shown,
      // it would change with every tick a scenario adds.
      absl::StrAppendFormat(&out, " Commit:%d%s", m.commit, Ctx(m));
      break;
    case MessageType::kHeartbeatResponse:
      absl::StrAppend(&out, Ctx(m));
      break;
    case MessageType::kSnapshot:
      if (m.snapshot) {
        absl::StrAppend(&out, " Snapshot:[",
                        FormatSnapshotMeta(m.snapshot->metadata), "]");
      }
      break;
    case MessageType::kReadIndex:
      absl::StrAppend(&out, Ctx(m));
      break;
    case MessageType::kReadIndexResponse:
      absl::StrAppendFormat(&out, " Index:%d%s", m.index, Ctx(m));
      break;
    case MessageType::kTransferLeader:
      absl::StrAppendFormat(&out, " Transferee:%d", m.from);
      break;
    default:
      break;
  }
  return out;
}

}  // namespace cairn::raft::interaction
