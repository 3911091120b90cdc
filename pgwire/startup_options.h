#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace cairn::pgwire {

// The settings in a startup packet's "options" parameter, as PostgreSQL's
// backend reads them: words split at unescaped white space (a backslash
// keeps the next character), then "-c name=value", "-cname=value" or
// "--name=value" ('-' in such a name reads as '_'). What libpq sends for
// PGOPTIONS or a connection string's options=..., e.g.
// "-c statement_timeout=5s -c search_path=app".
//
// Fails with 42601 for any other switch or a setting without '=', as
// PostgreSQL does ("invalid command-line argument for server process").
absl::StatusOr<std::vector<std::pair<std::string, std::string>>> ParseStartupOptions(
    std::string_view options);

}  // namespace cairn::pgwire
