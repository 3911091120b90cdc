#include "raft/conf_change.h"

#include "common/error_code.h"

namespace cairn::raft {

namespace {
constexpr size_t kEncodedSize = 9;
}  // namespace

std::string EncodeConfChange(const ConfChange& cc) {
  std::string out(kEncodedSize, '\0');
  out[0] = static_cast<char>(cc.type);
  for (int i = 0; i < 8; ++i) {
    out[1 + i] = static_cast<char>((cc.node_id >> (56 - 8 * i)) & 0xff);
  }
  return out;
}

absl::StatusOr<ConfChange> DecodeConfChange(std::string_view data) {
  if (data.size() != kEncodedSize) {
    return Errorf(ErrorCode::kDataCorrupted, "conf change: %d bytes, want %d",
                  data.size(), kEncodedSize);
  }
  const auto type = static_cast<uint8_t>(data[0]);
  if (type > static_cast<uint8_t>(ConfChange::Type::kRemoveNode)) {
    return Errorf(ErrorCode::kDataCorrupted, "conf change: unknown type %d",
                  type);
  }
  ConfChange cc;
  cc.type = static_cast<ConfChange::Type>(type);
  for (int i = 0; i < 8; ++i) {
    cc.node_id = (cc.node_id << 8) | static_cast<uint8_t>(data[1 + i]);
  }
  if (cc.node_id == 0) {
    return MakeError(ErrorCode::kDataCorrupted, "conf change: node id 0");
  }
  return cc;
}

}  // namespace cairn::raft
