#pragma once

// The interrupts of the statement a thread is running (cancellation,
// statement_timeout), for the waits far below the executor that its own
// checks between rows cannot reach: a lock wait, the routing client's
// retries while a range has no leaseholder, the wait for the timestamp
// oracle. The session installs a StatementInterrupts for the thread that
// runs a statement; such a wait calls StatementInterrupts::Check() before
// it waits again and ends with its error (57014).
//
// Like PostgreSQL's HOLD_INTERRUPTS around a commit: a HeldInterrupts on
// the stack makes Check() answer OK, so that a transaction past its commit
// point is not abandoned half-way and reported failed.
//
// Thread safety: both are per thread. Work a statement hands to threads
// of its own (ParallelFor: a scan's ranges read in parallel, a commit's
// ranges written in parallel) inherits them with InheritedInterrupts; the
// check and deadline functions are then called from those threads too,
// while the installing thread waits for them.

#include <functional>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace cairn {

class StatementInterrupts {
 public:
  // `check` answers OK, or the error that ends the statement; `deadline`
  // tells when statement_timeout ends the statement running now
  // (absl::InfiniteFuture() without one). Both are asked each time, as one
  // scope may span several statements of a Query.
  StatementInterrupts(std::function<absl::Status()> check, std::function<absl::Time()> deadline);
  ~StatementInterrupts();
  StatementInterrupts(const StatementInterrupts&) = delete;
  StatementInterrupts& operator=(const StatementInterrupts&) = delete;

  // OK unless the statement running on this thread must end now.
  static absl::Status Check();
  // When the statement running on this thread must end by; a remote call
  // it makes need not wait longer. InfiniteFuture() when there is none.
  static absl::Time Deadline();

  // This thread's interrupts as they stand (held or not), for a thread
  // that does part of the statement's work (InheritedInterrupts).
  struct Handle {
    StatementInterrupts* current = nullptr;
    int held = 0;
  };
  static Handle Current();

 private:
  std::function<absl::Status()> check_;
  std::function<absl::Time()> deadline_;
  StatementInterrupts* outer_;
};

// On a helper thread, for its lifetime: the interrupts of the thread that
// started it (StatementInterrupts::Current() taken there), which must
// outlive it.
class InheritedInterrupts {
 public:
  explicit InheritedInterrupts(StatementInterrupts::Handle from);
  ~InheritedInterrupts();
  InheritedInterrupts(const InheritedInterrupts&) = delete;
  InheritedInterrupts& operator=(const InheritedInterrupts&) = delete;

 private:
  StatementInterrupts::Handle outer_;
};

class HeldInterrupts {
 public:
  HeldInterrupts();
  ~HeldInterrupts();
  HeldInterrupts(const HeldInterrupts&) = delete;
  HeldInterrupts& operator=(const HeldInterrupts&) = delete;
};

}  // namespace cairn
