#include "txn/active_transactions.h"

namespace cairn::txn {

uint64_t ActiveTransactions::Reserve() {
  absl::MutexLock lock(&mu_);
  const uint64_t ticket = next_ticket_++;
  reserved_.insert(ticket);
  return ticket;
}

void ActiveTransactions::Activate(uint64_t ticket, Timestamp start_ts) {
  absl::MutexLock lock(&mu_);
  reserved_.erase(ticket);
  open_.insert(start_ts);
  changed_.SignalAll();
}

void ActiveTransactions::Cancel(uint64_t ticket) {
  absl::MutexLock lock(&mu_);
  reserved_.erase(ticket);
  changed_.SignalAll();
}

void ActiveTransactions::Remove(Timestamp start_ts) {
  absl::MutexLock lock(&mu_);
  auto it = open_.find(start_ts);
  if (it != open_.end()) open_.erase(it);
  changed_.SignalAll();
}

absl::Status ActiveTransactions::WaitForOlderThan(Timestamp ts,
                                                  const std::function<absl::Status()>& check) {
  absl::MutexLock lock(&mu_);
  // Tickets handed out from now on get timestamps after `ts`: only those
  // reserved already can be older.
  const uint64_t horizon = next_ticket_;
  for (;;) {
    const bool reserved_before = !reserved_.empty() && *reserved_.begin() < horizon;
    const bool open_before = !open_.empty() && *open_.begin() < ts;
    if (!reserved_before && !open_before) return absl::OkStatus();
    changed_.WaitWithTimeout(&mu_, absl::Milliseconds(10));
    mu_.Unlock();
    absl::Status stop = check();
    mu_.Lock();
    if (!stop.ok()) return stop;
  }
}

size_t ActiveTransactions::open() const {
  absl::MutexLock lock(&mu_);
  return open_.size() + reserved_.size();
}

std::optional<Timestamp> ActiveTransactions::Oldest() const {
  absl::MutexLock lock(&mu_);
  if (open_.empty()) return std::nullopt;
  return *open_.begin();
}

}  // namespace cairn::txn
