#include "common/statement_interrupts.h"

#include <utility>

namespace cairn {
namespace {

thread_local StatementInterrupts* t_current = nullptr;
thread_local int t_held = 0;

}  // namespace

StatementInterrupts::StatementInterrupts(std::function<absl::Status()> check,
                                         std::function<absl::Time()> deadline)
    : check_(std::move(check)), deadline_(std::move(deadline)), outer_(t_current) {
  t_current = this;
}

StatementInterrupts::~StatementInterrupts() { t_current = outer_; }

absl::Status StatementInterrupts::Check() {
  if (t_current == nullptr || t_held > 0 || !t_current->check_) return absl::OkStatus();
  return t_current->check_();
}

absl::Time StatementInterrupts::Deadline() {
  if (t_current == nullptr || t_held > 0 || !t_current->deadline_) return absl::InfiniteFuture();
  return t_current->deadline_();
}

StatementInterrupts::Handle StatementInterrupts::Current() {
  return Handle{.current = t_current, .held = t_held};
}

InheritedInterrupts::InheritedInterrupts(StatementInterrupts::Handle from)
    : outer_(StatementInterrupts::Current()) {
  t_current = from.current;
  t_held = from.held;
}

InheritedInterrupts::~InheritedInterrupts() {
  t_current = outer_.current;
  t_held = outer_.held;
}

HeldInterrupts::HeldInterrupts() { ++t_held; }

HeldInterrupts::~HeldInterrupts() { --t_held; }

}  // namespace cairn
