#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "raft/types.h"

// The leader's pending ReadIndex requests (etcd's ReadOnlySafe). A request
// records the commit index when it arrived; it becomes answerable once a
// quorum has acknowledged a heartbeat carrying its context, proving the
// leader was still the leader at that point. Requests are answered in
// arrival order: a quorum for one request answers every earlier one too.
//
// Thread safety: none.
namespace cairn::raft {

class ReadOnly {
 public:
  struct Request {
    Message message;  // the kReadIndex; message.from is kNone when local
    uint64_t index = 0;
    std::set<uint64_t> acks;
  };

  // Ignores a context that is already pending.
  void Add(uint64_t index, const Message& m);
  // Records `from`'s heartbeat ack for `context`; nullptr if unknown.
  const std::set<uint64_t>* RecvAck(uint64_t from, const std::string& context);
  // Pops every request up to and including `context`.
  std::vector<Request> Advance(const std::string& context);
  // Context to piggyback on the next heartbeat ("" when none).
  std::string LastPendingContext() const;
  void Reset();

 private:
  std::map<std::string, Request> pending_;
  std::deque<std::string> queue_;
};

}  // namespace cairn::raft
