#include "common/timestamp.h"

#include "absl/strings/str_cat.h"

namespace cairn {

std::string TimestampToString(Timestamp ts) {
  return absl::StrCat(PhysicalMs(ts), ".", LogicalPart(ts));
}

}  // namespace cairn
