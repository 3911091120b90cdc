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

HeldInterrupts::HeldInterrupts() { ++t_held; }

HeldInterrupts::~HeldInterrupts() { --t_held; }

}  // namespace cairn
