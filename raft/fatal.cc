#include "raft/fatal.h"

#include <cstdlib>

#include "common/logging.h"

namespace cairn::raft {

void Fatal(std::string_view message) {
  CAIRN_LOG_ERROR("raft: fatal: {}", message);
  spdlog::shutdown();
  std::abort();
}

}  // namespace cairn::raft
