#include "kv/store_range_locator.h"

#include "absl/strings/str_cat.h"
#include "common/error_code.h"
#include "common/key_codec.h"
#include "kv/range_commands.h"

namespace cairn::kv {

absl::StatusOr<std::unique_ptr<RangeExecutor>> StoreRangeLocator::Locate(std::string_view key) {
  Replica* r = store_->LookupReplica(key);
  if (r == nullptr) {
    // This store holds every range; none holding the key is the moment of
    // a split between the left range shrinking and the right one being
    // listed: a routing error, retried.
    return MakeError(ErrorCode::kRangeNotHere,
                     absl::StrCat("no range holds key ", key_codec::PrettyKey(key)));
  }
  return std::make_unique<RangeCommands>(r);
}

absl::StatusOr<std::unique_ptr<RangeExecutor>> StoreRangeLocator::LocateBefore(
    std::string_view end) {
  Replica* r = store_->LookupReplicaBefore(end);
  if (r == nullptr) {
    return MakeError(ErrorCode::kRangeNotHere,
                     absl::StrCat("no range holds the keys before ", key_codec::PrettyKey(end)));
  }
  return std::make_unique<RangeCommands>(r);
}

}  // namespace cairn::kv
