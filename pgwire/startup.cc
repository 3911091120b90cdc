#include "pgwire/startup.h"

#include "absl/strings/str_format.h"
#include "common/error_code.h"
#include "pgwire/message_reader.h"
#include "pgwire/protocol.h"

namespace cairn::pgwire {
namespace {

absl::Status LayoutError() {
  return MakeError(ErrorCode::kProtocolViolation,
                   "invalid startup packet layout: expected terminator as last byte");
}

absl::Status ParseParameters(BodyReader& body, StartupRequest& request) {
  for (;;) {
    absl::StatusOr<std::string_view> name = body.ReadCString();
    if (!name.ok()) return LayoutError();
    if (name->empty()) break;
    absl::StatusOr<std::string_view> value = body.ReadCString();
    if (!value.ok()) return LayoutError();
    if (*name == "user") {
      request.user = *value;
    } else if (*name == "database") {
      request.database = *value;
    } else if (*name == "options") {
      request.options = *value;
    } else if (*name == "replication") {
      request.replication = *value;
    } else if (name->starts_with("_pq_.")) {
      request.unrecognized_protocol_options.emplace_back(*name);
    } else {
      request.parameters.emplace_back(*name, *value);
    }
  }
  if (!body.AtEnd()) return LayoutError();
  if (request.database.empty()) request.database = request.user;
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<StartupRequest> ParseStartupPacket(std::string_view packet) {
  BodyReader body(packet);
  absl::StatusOr<int32_t> code = body.ReadInt32();
  if (!code.ok()) return code.status();
  const auto version = static_cast<uint32_t>(*code);

  StartupRequest request;
  switch (version) {
    case kSslRequestCode:
      request.kind = StartupKind::kSslRequest;
      return request;
    case kGssEncRequestCode:
      request.kind = StartupKind::kGssEncRequest;
      return request;
    case kCancelRequestCode: {
      request.kind = StartupKind::kCancelRequest;
      absl::StatusOr<int32_t> pid = body.ReadInt32();
      absl::StatusOr<int32_t> key = body.ReadInt32();
      if (!pid.ok() || !key.ok() || !body.AtEnd()) {
        return MakeError(ErrorCode::kProtocolViolation, "invalid length of startup packet");
      }
      request.cancel_process_id = *pid;
      request.cancel_secret_key = *key;
      return request;
    }
    default:
      break;
  }

  if (ProtocolMajor(version) != ProtocolMajor(kProtocolVersion3)) {
    return MakeError(
        ErrorCode::kFeatureNotSupported,
        absl::StrFormat("unsupported frontend protocol %u.%u: server supports 3.0 to 3.0",
                        ProtocolMajor(version), ProtocolMinor(version)));
  }
  request.kind = StartupKind::kStartup;
  request.protocol_version = version;
  CAIRN_RETURN_IF_ERROR(ParseParameters(body, request));
  return request;
}

}  // namespace cairn::pgwire
