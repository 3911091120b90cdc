#include "raft/read_only.h"

namespace cairn::raft {

void ReadOnly::Add(uint64_t index, const Message& m) {
  if (pending_.count(m.context)) return;
  pending_.emplace(m.context, Request{.message = m, .index = index});
  queue_.push_back(m.context);
}

const std::set<uint64_t>* ReadOnly::RecvAck(uint64_t from,
                                            const std::string& context) {
  auto it = pending_.find(context);
  if (it == pending_.end()) return nullptr;
  it->second.acks.insert(from);
  return &it->second.acks;
}

std::vector<ReadOnly::Request> ReadOnly::Advance(const std::string& context) {
  std::vector<Request> out;
  if (!pending_.count(context)) return out;
  while (!queue_.empty()) {
    std::string ctx = std::move(queue_.front());
    queue_.pop_front();
    auto it = pending_.find(ctx);
    out.push_back(std::move(it->second));
    pending_.erase(it);
    if (ctx == context) break;
  }
  return out;
}

std::string ReadOnly::LastPendingContext() const {
  return queue_.empty() ? std::string() : queue_.back();
}

void ReadOnly::Reset() {
  pending_.clear();
  queue_.clear();
}

}  // namespace cairn::raft
