#pragma once

#include <cstdint>

namespace cairn::server {

// The node's log: one line per event on stderr (what `docker-compose logs`
// and process supervisors collect), in logfmt-style fields an operator can
// grep or parse: `ts=2026-12-06T00:47:19.135Z level=info node=3 msg=...`.
// Until the node knows its ID (before it bootstraps or joins) the field
// reads node=?. Call from the main thread, before other threads log.
void UseStructuredLog();
void SetLogNodeId(uint64_t node_id);

}  // namespace cairn::server
