#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "common/value.h"

// PostgreSQL's text form of one-dimensional arrays: {1,2,NULL} and
// {"a b","x\"y",""}, elements quoted when they would not read back as
// themselves.
namespace cairn {

std::string FormatArray(const ArrayValue& array);

// Reads `text` as an array of `element` (each element parsed as that
// type would be). 22P02 "malformed array literal" on bad syntax, 0A000 for
// more than one dimension.
absl::StatusOr<Value> ParseArray(std::string_view text, const SqlType& element);

}  // namespace cairn
