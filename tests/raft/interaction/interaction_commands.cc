#include "interaction_commands.h"

#include <functional>
#include <map>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/error_code.h"
#include "interaction_format.h"
#include "raft/conf_change.h"

namespace cairn::raft::interaction {

namespace {

using Output = absl::StatusOr<std::string>;
using Handler =
    std::function<Output(InteractionEnv&, const ScenarioCommand&)>;

const std::vector<std::string> kOptionKeys = {
    "pre-vote",      "check-quorum", "election-tick", "heartbeat-tick",
    "max-inflight",  "max-msg-size", "seed",           "announce-commits"};

absl::StatusOr<NodeOptions> ParseOptions(const ScenarioCommand& c) {
  NodeOptions o;
  CAIRN_ASSIGN_OR_RETURN(o.pre_vote, c.GetBool("pre-vote", o.pre_vote));
  CAIRN_ASSIGN_OR_RETURN(o.check_quorum,
                         c.GetBool("check-quorum", o.check_quorum));
  CAIRN_ASSIGN_OR_RETURN(uint64_t et,
                         c.GetUint("election-tick", o.election_tick));
  CAIRN_ASSIGN_OR_RETURN(uint64_t ht,
                         c.GetUint("heartbeat-tick", o.heartbeat_tick));
  CAIRN_ASSIGN_OR_RETURN(uint64_t inflight,
                         c.GetUint("max-inflight", o.max_inflight));
  CAIRN_ASSIGN_OR_RETURN(o.max_size_per_msg,
                         c.GetUint("max-msg-size", o.max_size_per_msg));
  CAIRN_ASSIGN_OR_RETURN(o.seed, c.GetUint("seed", o.seed));
  CAIRN_ASSIGN_OR_RETURN(o.announce_commits,
                         c.GetBool("announce-commits", o.announce_commits));
  o.election_tick = static_cast<int>(et);
  o.heartbeat_tick = static_cast<int>(ht);
  o.max_inflight = static_cast<int>(inflight);
  return o;
}

// The positional node ids, or every node when there are none.
absl::StatusOr<std::vector<uint64_t>> NodesOrAll(InteractionEnv& env,
                                                 const ScenarioCommand& c) {
  if (c.positional.empty()) return env.ids();
  return c.PosUints();
}

// The output of a raft call: "ok" or the error it returned.
std::string Result(const absl::Status& s) {
  return s.ok() ? "ok" : FormatError(s);
}

// Applies `line` to each listed node and joins the results.
Output PerNode(InteractionEnv& env, const ScenarioCommand& c,
               const std::function<Output(uint64_t)>& line) {
  CAIRN_RETURN_IF_ERROR(c.CheckNamed({}));
  CAIRN_ASSIGN_OR_RETURN(std::vector<uint64_t> ids, NodesOrAll(env, c));
  std::vector<std::string> out;
  for (uint64_t id : ids) {
    CAIRN_ASSIGN_OR_RETURN(std::string l, line(id));
    if (!l.empty()) out.push_back(std::move(l));
  }
  return absl::StrJoin(out, "\n");
}

Output Bootstrap(InteractionEnv& env, const ScenarioCommand& c) {
  std::vector<std::string> keys = kOptionKeys;
  keys.insert(keys.end(), {"voters", "learners"});
  CAIRN_RETURN_IF_ERROR(c.CheckNamed(keys));
  CAIRN_ASSIGN_OR_RETURN(std::vector<uint64_t> voters, c.GetUintList("voters"));
  CAIRN_ASSIGN_OR_RETURN(std::vector<uint64_t> learners,
                         c.GetUintList("learners"));
  CAIRN_ASSIGN_OR_RETURN(NodeOptions o, ParseOptions(c));
  if (voters.empty()) return absl::InvalidArgumentError("bootstrap: no voters");
  CAIRN_RETURN_IF_ERROR(env.Bootstrap(voters, learners, o));
  std::vector<std::string> out;
  for (const std::vector<uint64_t>* ids : {&voters, &learners}) {
    for (uint64_t id : *ids) {
      CAIRN_ASSIGN_OR_RETURN(std::string line, env.StatusLine(id));
      out.push_back(std::move(line));
    }
  }
  return absl::StrJoin(out, "\n");
}

Output Reset(InteractionEnv& env, const ScenarioCommand& c) {
  env.Reset();
  return std::string();
}

Output AddNode(InteractionEnv& env, const ScenarioCommand& c) {
  CAIRN_RETURN_IF_ERROR(c.CheckNamed(kOptionKeys));
  CAIRN_ASSIGN_OR_RETURN(uint64_t id, c.PosUint(0));
  CAIRN_ASSIGN_OR_RETURN(NodeOptions o, ParseOptions(c));
  CAIRN_RETURN_IF_ERROR(env.AddEmptyNode(id, o));
  return env.StatusLine(id);
}

Output Campaign(InteractionEnv& env, const ScenarioCommand& c) {
  CAIRN_ASSIGN_OR_RETURN(uint64_t id, c.PosUint(0));
  CAIRN_ASSIGN_OR_RETURN(RawNode * n, env.node(id));
  return Result(n->Campaign());
}

Output Propose(InteractionEnv& env, const ScenarioCommand& c) {
  CAIRN_RETURN_IF_ERROR(c.CheckNamed({"count"}));
  CAIRN_ASSIGN_OR_RETURN(uint64_t id, c.PosUint(0));
  if (c.positional.size() != 2) {
    return absl::InvalidArgumentError("propose N DATA");
  }
  CAIRN_ASSIGN_OR_RETURN(RawNode * n, env.node(id));
  const std::string& data = c.positional[1];
  if (!c.Has("count")) return Result(n->Propose(data));
  CAIRN_ASSIGN_OR_RETURN(uint64_t count, c.GetUint("count", 1));
  for (uint64_t i = 1; i <= count; ++i) {
    absl::Status s = n->Propose(absl::StrCat(data, i));
    if (!s.ok()) return absl::StrCat("proposal ", i, ": ", Result(s));
  }
  return Result(absl::OkStatus());
}

Output ProposeConfChange(InteractionEnv& env, const ScenarioCommand& c) {
  CAIRN_ASSIGN_OR_RETURN(uint64_t id, c.PosUint(0));
  CAIRN_ASSIGN_OR_RETURN(uint64_t target, c.PosUint(2));
  static const std::map<std::string, ConfChange::Type> kTypes = {
      {"add-voter", ConfChange::Type::kAddVoter},
      {"add-learner", ConfChange::Type::kAddLearner},
      {"remove", ConfChange::Type::kRemoveNode}};
  auto type = kTypes.find(c.positional[1]);
  if (type == kTypes.end()) {
    return absl::InvalidArgumentError("add-voter, add-learner or remove");
  }
  CAIRN_ASSIGN_OR_RETURN(RawNode * n, env.node(id));
  return Result(n->ProposeConfChange({type->second, target}));
}

Output TransferLeader(InteractionEnv& env, const ScenarioCommand& c) {
  CAIRN_RETURN_IF_ERROR(c.CheckNamed({"to"}));
  CAIRN_ASSIGN_OR_RETURN(uint64_t id, c.PosUint(0));
  CAIRN_ASSIGN_OR_RETURN(uint64_t to, c.GetUint("to", 0));
  CAIRN_ASSIGN_OR_RETURN(RawNode * n, env.node(id));
  n->TransferLeader(to);
  return Result(absl::OkStatus());
}

Output ReadIndex(InteractionEnv& env, const ScenarioCommand& c) {
  CAIRN_ASSIGN_OR_RETURN(uint64_t id, c.PosUint(0));
  if (c.positional.size() != 2) {
    return absl::InvalidArgumentError("read-index N CTX");
  }
  CAIRN_ASSIGN_OR_RETURN(RawNode * n, env.node(id));
  return Result(n->ReadIndex(c.positional[1]));
}

Output ReportUnreachable(InteractionEnv& env, const ScenarioCommand& c) {
  CAIRN_ASSIGN_OR_RETURN(uint64_t id, c.PosUint(0));
  CAIRN_ASSIGN_OR_RETURN(uint64_t peer, c.PosUint(1));
  CAIRN_ASSIGN_OR_RETURN(RawNode * n, env.node(id));
  n->ReportUnreachable(peer);
  return Result(absl::OkStatus());
}

Output Tick(InteractionEnv& env, const ScenarioCommand& c) {
  CAIRN_RETURN_IF_ERROR(c.CheckNamed({"count"}));
  CAIRN_ASSIGN_OR_RETURN(std::vector<uint64_t> ids, NodesOrAll(env, c));
  CAIRN_ASSIGN_OR_RETURN(uint64_t count, c.GetUint("count", 1));
  for (uint64_t id : ids) {
    CAIRN_RETURN_IF_ERROR(env.Tick(id, static_cast<int>(count)));
  }
  return std::string();
}

Output TickElection(InteractionEnv& env, const ScenarioCommand& c) {
  CAIRN_ASSIGN_OR_RETURN(uint64_t id, c.PosUint(0));
  return env.TickElection(id);
}

Output ProcessReady(InteractionEnv& env, const ScenarioCommand& c) {
  return PerNode(env, c, [&](uint64_t id) {
    return env.ProcessReady(id, /*show_messages=*/true);
  });
}

Output DeliverMsgs(InteractionEnv& env, const ScenarioCommand& c) {
  CAIRN_RETURN_IF_ERROR(c.CheckNamed({"from", "to", "type", "count", "drop"}));
  MessageFilter f;
  CAIRN_ASSIGN_OR_RETURN(f.count, c.GetUint("count", 0));
  CAIRN_ASSIGN_OR_RETURN(f.from, c.GetUint("from", 0));
  CAIRN_ASSIGN_OR_RETURN(f.to, c.GetUint("to", 0));
  f.type = c.GetString("type", "");
  CAIRN_ASSIGN_OR_RETURN(bool drop, c.GetBool("drop", false));
  std::string out = env.Deliver(f, drop);
  return out.empty() ? "no messages" : out;
}

Output Stabilize(InteractionEnv& env, const ScenarioCommand& c) {
  CAIRN_RETURN_IF_ERROR(c.CheckNamed({}));
  return env.Stabilize();
}

Output Msgs(InteractionEnv& env, const ScenarioCommand& c) {
  return env.PendingMessages();
}

Output Isolate(InteractionEnv& env, const ScenarioCommand& c) {
  CAIRN_ASSIGN_OR_RETURN(std::vector<uint64_t> ids, c.PosUints());
  for (uint64_t id : ids) env.Isolate(id);
  return std::string();
}

Output Heal(InteractionEnv& env, const ScenarioCommand& c) {
  env.Heal();
  return std::string();
}

Output Crash(InteractionEnv& env, const ScenarioCommand& c) {
  CAIRN_ASSIGN_OR_RETURN(uint64_t id, c.PosUint(0));
  return env.Crash(id);
}

Output Restart(InteractionEnv& env, const ScenarioCommand& c) {
  CAIRN_ASSIGN_OR_RETURN(uint64_t id, c.PosUint(0));
  CAIRN_RETURN_IF_ERROR(env.Restart(id));
  return env.StatusLine(id);
}

Output Compact(InteractionEnv& env, const ScenarioCommand& c) {
  CAIRN_ASSIGN_OR_RETURN(uint64_t id, c.PosUint(0));
  CAIRN_ASSIGN_OR_RETURN(uint64_t index, c.PosUint(1));
  CAIRN_RETURN_IF_ERROR(env.Compact(id, index));
  return env.RaftLog(id);
}

Output StatusCmd(InteractionEnv& env, const ScenarioCommand& c) {
  return PerNode(env, c, [&](uint64_t id) { return env.StatusLine(id); });
}

Output RaftLogCmd(InteractionEnv& env, const ScenarioCommand& c) {
  return PerNode(env, c, [&](uint64_t id) { return env.RaftLog(id); });
}

Output AppliedCmd(InteractionEnv& env, const ScenarioCommand& c) {
  return PerNode(env, c, [&](uint64_t id) { return env.Applied(id); });
}

Output ProgressCmd(InteractionEnv& env, const ScenarioCommand& c) {
  CAIRN_ASSIGN_OR_RETURN(uint64_t id, c.PosUint(0));
  return env.ProgressLines(id);
}

Output MsgCounts(InteractionEnv& env, const ScenarioCommand& c) {
  return env.TakeMessageCounts();
}

Output CheckSafety(InteractionEnv& env, const ScenarioCommand& c) {
  return env.CheckSafety();
}

const std::map<std::string, Handler>& Handlers() {
  static const auto* handlers = new std::map<std::string, Handler>{
      {"bootstrap", Bootstrap},
      {"add-node", AddNode},
      {"reset", Reset},
      {"campaign", Campaign},
      {"propose", Propose},
      {"propose-conf-change", ProposeConfChange},
      {"transfer-leader", TransferLeader},
      {"read-index", ReadIndex},
      {"report-unreachable", ReportUnreachable},
      {"tick", Tick},
      {"tick-election", TickElection},
      {"process-ready", ProcessReady},
      {"deliver-msgs", DeliverMsgs},
      {"stabilize", Stabilize},
      {"msgs", Msgs},
      {"isolate", Isolate},
      {"heal", Heal},
      {"crash", Crash},
      {"restart", Restart},
      {"compact", Compact},
      {"status", StatusCmd},
      {"raft-log", RaftLogCmd},
      {"applied", AppliedCmd},
      {"progress", ProgressCmd},
      {"msg-counts", MsgCounts},
      {"check-safety", CheckSafety},
  };
  return *handlers;
}

}  // namespace

absl::StatusOr<std::string> RunInteractionCommand(InteractionEnv& env,
                                                  const ScenarioCommand& cmd) {
  auto it = Handlers().find(cmd.name);
  if (it == Handlers().end()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("line %d: unknown command '%s'", cmd.line, cmd.name));
  }
  Output out = it->second(env, cmd);
  if (!out.ok()) {
    return absl::Status(out.status().code(),
                        absl::StrFormat("line %d (%s): %s", cmd.line, cmd.name,
                                        out.status().message()));
  }
  return out;
}

}  // namespace cairn::raft::interaction
