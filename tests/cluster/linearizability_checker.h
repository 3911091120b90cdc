// A linearizability checker for the history of one read/write/compare-and-set
// register, for the Jepsen-style register test (jepsen_register_test.cc).
//
// The search is Wing & Gong's, with the memoisation Lowe added ("Testing
// for linearizability", 2017) and Porcupine uses: the history is a list of
// call and return events in real-time order; the search walks it from the
// front, linearizing a pending operation at a call event when the register
// allows it and the state {operations linearized so far, register value}
// is new, and backtracking when it reaches the return event of an operation
// it has not linearized yet. The history is linearizable iff every
// operation that returned gets linearized. Unknown outcomes get two
// reductions of their own (StateMemo).
//
// Outcomes: an operation that completed ok has a return event. One whose
// outcome is unknown (the connection dropped, a timeout, 40003) has none:
// it may take effect at any point after its invocation, or never. A
// compare-and-set that completed "fail" (it matched no row) is an
// observation: the value differed from the expected one at some instant
// inside its interval. A read or write that definitely did nothing (an
// error after which nothing was written, or a failed read) carries no
// information and is left out.
//
// Everything here is a pure function of its input; no threads, no clocks.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <utility>
#include <vector>

namespace cairn::cluster {

enum class RegisterOpKind { kRead, kWrite, kCas };
enum class OpOutcome { kOk, kFail, kUnknown };

inline const char* OutcomeName(OpOutcome outcome) {
  switch (outcome) {
    case OpOutcome::kOk:
      return "ok";
    case OpOutcome::kFail:
      return "fail";
    case OpOutcome::kUnknown:
      return "unknown";
  }
  return "?";
}

// One client operation on one register. Times are in any one unit (the
// tests use nanoseconds of the steady clock since the run began); only
// their order matters. Two events at the same instant count as concurrent.
struct RegisterOp {
  int process = 0;  // the client that ran it, for the report
  RegisterOpKind kind = RegisterOpKind::kRead;
  // kRead: the value read (when ok). kWrite: the value written. kCas: the
  // value set if the register held `expected`.
  int64_t value = 0;
  int64_t expected = 0;  // kCas only
  OpOutcome outcome = OpOutcome::kUnknown;
  int64_t invoke = 0;
  int64_t complete = 0;  // ignored when the outcome is unknown
  std::string note;      // e.g. the node it went through; for the report
};

inline std::string Describe(const RegisterOp& op) {
  char text[160];
  switch (op.kind) {
    case RegisterOpKind::kRead:
      std::snprintf(text, sizeof text, "p%d read %s", op.process,
                    op.outcome == OpOutcome::kOk ? std::to_string(op.value).c_str() : "?");
      break;
    case RegisterOpKind::kWrite:
      std::snprintf(text, sizeof text, "p%d write %lld", op.process,
                    static_cast<long long>(op.value));
      break;
    case RegisterOpKind::kCas:
      std::snprintf(text, sizeof text, "p%d cas %lld->%lld", op.process,
                    static_cast<long long>(op.expected), static_cast<long long>(op.value));
      break;
  }
  std::string out = text;
  out += " ";
  out += OutcomeName(op.outcome);
  std::snprintf(text, sizeof text, " [%.3f, %s]", static_cast<double>(op.invoke) / 1e9,
                op.outcome == OpOutcome::kUnknown
                    ? "-"
                    : std::to_string(static_cast<double>(op.complete) / 1e9).c_str());
  out += text;
  if (!op.note.empty()) out += " " + op.note;
  return out;
}

struct LinearizabilityResult {
  enum class Verdict { kLinearizable, kNotLinearizable, kUndecided };
  Verdict verdict = Verdict::kUndecided;
  int ops_checked = 0;      // the operations the search considered
  int64_t states_seen = 0;  // memoised {linearized set, value} pairs
  // For kNotLinearizable: the operation that could not be linearized before
  // it returned, on the longest partial linearization found, and what
  // surrounded it; for kUndecided, why the search stopped.
  std::string explanation;

  bool linearizable() const { return verdict == Verdict::kLinearizable; }
};

inline const char* VerdictName(LinearizabilityResult::Verdict verdict) {
  switch (verdict) {
    case LinearizabilityResult::Verdict::kLinearizable:
      return "linearizable";
    case LinearizabilityResult::Verdict::kNotLinearizable:
      return "NOT LINEARIZABLE";
    case LinearizabilityResult::Verdict::kUndecided:
      return "UNDECIDED";
  }
  return "?";
}

namespace linearizability_internal {

// The register as a sequential object: whether `op` may take effect on a
// register holding `value`, and the value it leaves.
inline bool Step(const RegisterOp& op, int64_t value, int64_t* next) {
  *next = value;
  switch (op.kind) {
    case RegisterOpKind::kRead:
      return op.value == value;
    case RegisterOpKind::kWrite:
      *next = op.value;
      return true;
    case RegisterOpKind::kCas:
      if (op.outcome == OpOutcome::kFail) return value != op.expected;
      if (value != op.expected) return false;
      *next = op.value;
      return true;
  }
  return false;
}

// Whether `op` says anything about the register: reads and writes that
// failed, and reads of unknown outcome, do not.
inline bool Informative(const RegisterOp& op) {
  if (op.kind == RegisterOpKind::kCas) return true;
  if (op.kind == RegisterOpKind::kRead) return op.outcome == OpOutcome::kOk;
  return op.outcome != OpOutcome::kFail;
}

// The memo of the search, with two reductions for unknown operations. A
// search state is {the completed operations linearized (K), the
// unknown-outcome ones linearized (U), the register value}.
// - Unknown operations of one type (the same kind, expected and new value)
//   that were both invoked before the search's frontier are
//   interchangeable: either can be linearized at any later point. Those
//   in U all were (an operation is linearized only once invoked, and the
//   frontier only moves on), so U matters only through how many of each
//   type it holds: U is kept as a count per type.
// - An unknown operation has no return event, so leaving it pending is
//   never worse than having linearized it: from {K, c, v} with c <= c' (per
//   type), every continuation of {K, c', v} is open too. So a state is
//   skipped when one with the same K and value and no more of any type has
//   been seen.
// Both keep histories with several unknown operations tractable: without
// them the states grow as 2^(unknown operations).
struct KnownKey {
  std::vector<uint64_t> known;  // K, a bit per completed operation
  int64_t value = 0;
  bool operator==(const KnownKey& other) const {
    return value == other.value && known == other.known;
  }
};
struct KnownKeyHash {
  size_t operator()(const KnownKey& k) const {
    uint64_t h = 0x9E3779B97F4A7C15ull ^ static_cast<uint64_t>(k.value);
    for (uint64_t word : k.known) h ^= word + 0x9E3779B97F4A7C15ull + (h << 6) + (h >> 2);
    return static_cast<size_t>(h);
  }
};

class StateMemo {
 public:
  // Records {known, counts, value}; false if it, or a state that subsumes
  // it, was recorded before.
  bool Insert(const std::vector<uint64_t>& known, const std::vector<uint16_t>& counts,
              int64_t value) {
    auto subsumed = [&](const std::vector<std::vector<uint16_t>>& seen) {
      for (const std::vector<uint16_t>& c : seen) {
        bool no_more = true;
        for (size_t t = 0; t < c.size() && no_more; ++t) no_more = c[t] <= counts[t];
        if (no_more) return true;
      }
      return false;
    };
    std::vector<std::vector<uint16_t>>& seen = memo_[KnownKey{known, value}];
    if (subsumed(seen)) return false;
    seen.push_back(counts);
    ++size_;
    return true;
  }
  size_t size() const { return size_; }
  size_t keys() const { return memo_.size(); }

 private:
  std::unordered_map<KnownKey, std::vector<std::vector<uint16_t>>, KnownKeyHash> memo_;
  size_t size_ = 0;
};

}  // namespace linearizability_internal

// Checks one register's history, starting from `initial`. Gives up
// (kUndecided) once more than `max_states` search states have been
// memoised.
inline LinearizabilityResult CheckRegisterHistory(const std::vector<RegisterOp>& history,
                                                  int64_t initial, size_t max_states = 4'000'000) {
  using namespace linearizability_internal;
  LinearizabilityResult result;
  std::vector<const RegisterOp*> ops;
  for (const RegisterOp& op : history) {
    if (Informative(op)) ops.push_back(&op);
  }
  const int n = static_cast<int>(ops.size());
  result.ops_checked = n;

  // Events, in time order; a call before a return at the same instant (the
  // two operations then count as concurrent, never as ordered).
  struct Event {
    int op = 0;
    bool is_call = true;
    int64_t time = 0;
  };
  std::vector<Event> events;
  for (int i = 0; i < n; ++i) {
    events.push_back({i, true, ops[i]->invoke});
    if (ops[i]->outcome != OpOutcome::kUnknown) events.push_back({i, false, ops[i]->complete});
  }
  std::stable_sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    if (a.time != b.time) return a.time < b.time;
    return a.is_call && !b.is_call;
  });

  // A doubly linked list of the events with a sentinel (index 0), so that
  // linearizing an operation unlinks its call and return in O(1) and
  // backtracking relinks them (dancing links).
  const int size = static_cast<int>(events.size()) + 1;
  std::vector<int> prev(size), next(size), event_op(size, -1), return_of_call(size, -1);
  std::vector<bool> is_call(size, false);
  std::vector<int> call_node(n, -1), return_node(n, -1);
  for (int i = 1; i < size; ++i) {
    const Event& e = events[i - 1];
    event_op[i] = e.op;
    is_call[i] = e.is_call;
    (e.is_call ? call_node : return_node)[e.op] = i;
  }
  for (int i = 0; i < size; ++i) {
    prev[i] = i == 0 ? size - 1 : i - 1;
    next[i] = i == size - 1 ? 0 : i + 1;
  }
  for (int op = 0; op < n; ++op) return_of_call[call_node[op]] = return_node[op];
  auto unlink = [&](int i) {
    next[prev[i]] = next[i];
    prev[next[i]] = prev[i];
  };
  auto relink = [&](int i) {
    next[prev[i]] = i;
    prev[next[i]] = i;
  };
  int returns_left = 0;
  for (int op = 0; op < n; ++op) returns_left += return_node[op] >= 0 ? 1 : 0;

  // Each completed operation's bit in `known`; each unknown one's type,
  // counted in `counts` while linearized (see StateMemo).
  std::vector<int> index(n, 0);
  int known_count = 0;
  std::vector<std::tuple<RegisterOpKind, int64_t, int64_t>> types;
  for (int op = 0; op < n; ++op) {
    if (ops[op]->outcome != OpOutcome::kUnknown) {
      index[op] = known_count++;
      continue;
    }
    const auto type = std::make_tuple(ops[op]->kind, ops[op]->expected, ops[op]->value);
    auto it = std::find(types.begin(), types.end(), type);
    index[op] = static_cast<int>(it - types.begin());
    if (it == types.end()) types.push_back(type);
  }
  std::vector<uint64_t> known((known_count + 63) / 64, 0);
  std::vector<uint16_t> counts(types.size(), 0);
  auto mark = [&](int op, bool linearized) {
    if (ops[op]->outcome == OpOutcome::kUnknown) {
      counts[index[op]] += linearized ? 1 : -1;
    } else if (linearized) {
      known[index[op] / 64] |= uint64_t{1} << (index[op] % 64);
    } else {
      known[index[op] / 64] &= ~(uint64_t{1} << (index[op] % 64));
    }
  };
  StateMemo memo;
  struct Frame {
    int call = 0;        // the call event linearized
    int64_t before = 0;  // the value before it
  };
  std::vector<Frame> stack;
  int64_t value = initial;
  // The deepest the search got, for the report.
  size_t deepest = 0;
  int stuck_op = -1;
  int64_t stuck_value = initial;
  std::vector<int> deepest_order;

  // The candidates of a state are the calls before the first return still
  // linked. They are tried in two passes, the completed operations first
  // and the unknown ones after, so that a state is usually first reached
  // with as few unknown operations linearized as can be, and StateMemo
  // then skips the states that linearized more.
  auto is_unknown = [&](int op) { return ops[op]->outcome == OpOutcome::kUnknown; };
  bool unknown_pass = false;
  int entry = next[0];
  while (returns_left > 0) {
    if (entry != 0 && is_call[entry]) {
      const int op = event_op[entry];
      int64_t after = 0;
      if (is_unknown(op) == unknown_pass && Step(*ops[op], value, &after)) {
        mark(op, true);
        if (memo.Insert(known, counts, after)) {
          if (memo.size() > max_states) {
            result.verdict = LinearizabilityResult::Verdict::kUndecided;
            result.states_seen = static_cast<int64_t>(memo.size());
            result.explanation = "gave up after " + std::to_string(max_states) +
                                 " search states (" + std::to_string(n) + " operations)";
            return result;
          }
          stack.push_back({entry, value});
          value = after;
          unlink(entry);
          if (return_of_call[entry] >= 0) {
            unlink(return_of_call[entry]);
            --returns_left;
          }
          unknown_pass = false;
          entry = next[0];
          continue;
        }
        mark(op, false);
      }
      entry = next[entry];
      continue;
    }
    // The candidates of this pass are exhausted (a return whose operation
    // is not linearized yet, or the end of the list).
    if (!unknown_pass) {
      unknown_pass = true;
      entry = next[0];
      continue;
    }
    // Both passes: record how far the search got, then undo the last
    // linearization and go on with the candidate after it.
    if (entry != 0 && stack.size() >= deepest) {
      deepest = stack.size();
      stuck_op = event_op[entry];
      stuck_value = value;
      deepest_order.clear();
      for (const Frame& f : stack) deepest_order.push_back(event_op[f.call]);
    }
    if (stack.empty()) break;
    const Frame top = stack.back();
    stack.pop_back();
    const int op = event_op[top.call];
    value = top.before;
    mark(op, false);
    if (return_of_call[top.call] >= 0) {
      relink(return_of_call[top.call]);
      ++returns_left;
    }
    relink(top.call);
    unknown_pass = is_unknown(op);
    entry = next[top.call];
  }
  result.states_seen = static_cast<int64_t>(memo.size());
  if (returns_left == 0) {
    result.verdict = LinearizabilityResult::Verdict::kLinearizable;
    return result;
  }

  result.verdict = LinearizabilityResult::Verdict::kNotLinearizable;
  std::string text;
  if (stuck_op >= 0) {
    const RegisterOp& stuck = *ops[stuck_op];
    text = "the longest linearization found has " + std::to_string(deepest) + " of " +
           std::to_string(n) + " operations and leaves the register at " +
           std::to_string(stuck_value) + "; then " + Describe(stuck) +
           " returned without any order of the pending operations explaining it.";
    const size_t shown = std::min<size_t>(deepest_order.size(), 8);
    text += "\n  last linearized:";
    for (size_t i = deepest_order.size() - shown; i < deepest_order.size(); ++i) {
      text += "\n    " + Describe(*ops[deepest_order[i]]);
    }
    text +=
        "\n  operations overlapping it (invoked before it returned, not returned before "
        "it was invoked):";
    int listed = 0;
    for (int i = 0; i < n && listed < 24; ++i) {
      const RegisterOp& o = *ops[i];
      const bool returned_before = o.outcome != OpOutcome::kUnknown && o.complete < stuck.invoke;
      if (i == stuck_op || o.invoke > stuck.complete || returned_before) continue;
      text += "\n    " + Describe(o);
      ++listed;
    }
  }
  result.explanation = text;
  return result;
}

}  // namespace cairn::cluster
