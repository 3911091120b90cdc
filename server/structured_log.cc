#include "server/structured_log.h"

#include <memory>
#include <string>

#include "spdlog/sinks/stdout_sinks.h"
#include "spdlog/spdlog.h"

namespace cairn::server {
namespace {

void SetPattern(const std::string& node) {
  spdlog::set_pattern("ts=%Y-%m-%dT%H:%M:%S.%eZ level=%l node=" + node + " msg=%v",
                      spdlog::pattern_time_type::utc);
}

}  // namespace

void UseStructuredLog() {
  spdlog::set_default_logger(spdlog::stderr_logger_mt("cairn"));
  SetPattern("?");
}

void SetLogNodeId(uint64_t node_id) { SetPattern(std::to_string(node_id)); }

}  // namespace cairn::server
