#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "common/value.h"

// Rows as bytes, for rows that leave memory: an external sort's spilled
// runs, and the rows a plan fragment sends from a range's leaseholder to
// the gateway. Each value keeps its type, so a row reads back as it was
// (numerics and arrays through their exact text form).
namespace cairn::executor {

void AppendRow(const Row& row, std::string* out);
// Reads the row at the front of `*in` and moves past it.
absl::Status ReadRow(std::string_view* in, Row* row);

}  // namespace cairn::executor
