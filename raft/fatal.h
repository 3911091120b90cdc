#pragma once

#include <string_view>

#include "absl/strings/str_format.h"

// Fail-stop for broken invariants inside raft/: a LogStorage that cannot read
// a log it just reported, or a driver that violates the Ready/Advance
// protocol. Continuing could vote or commit against a log raft cannot see, so
// the process logs and aborts; after a restart the node recovers from its
// durable state (this is what etcd and TiKV do).
namespace cairn::raft {

[[noreturn]] void Fatal(std::string_view message);

template <typename... Args>
[[noreturn]] void Fatalf(const absl::FormatSpec<Args...>& format,
                         const Args&... args) {
  Fatal(absl::StrFormat(format, args...));
}

}  // namespace cairn::raft
