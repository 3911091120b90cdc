#include "pgwire/copy_stream.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/error_code.h"
#include "pgwire/protocol.h"

namespace cairn::pgwire {
namespace {


// CopyInResponse and CopyOutResponse: text format, every column text.
void WriteCopyResponse(MessageWriter& w, char type, int columns) {
  w.Begin(type);
  w.PutByte(0);
  w.PutInt16(static_cast<int16_t>(columns));
  for (int i = 0; i < columns; ++i) w.PutInt16(kFormatText);
  w.End();
}

}  // namespace

absl::Status Connection::CopyStream::BeginCopyIn(int columns) {
  WriteCopyResponse(conn_->writer_, backend::kCopyInResponse, columns);
  // The client waits for it before it sends any data.
  return conn_->Flush();
}

absl::StatusOr<std::optional<std::string>> Connection::CopyStream::ReadCopyData() {
  for (;;) {
    CAIRN_ASSIGN_OR_RETURN(std::optional<FrontendMessage> message, conn_->reader_.ReadMessage());
    if (!message.has_value()) {
      return MakeError(ErrorCode::kProtocolViolation, "unexpected EOF on client connection");
    }
    switch (message->type) {
      case frontend::kCopyData: return std::optional<std::string>(std::string(message->body));
      case frontend::kCopyDone: return std::nullopt;
      case frontend::kCopyFail: {
        std::string_view reason = message->body;
        if (!reason.empty() && reason.back() == '\0') reason.remove_suffix(1);
        return MakeError(ErrorCode::kQueryCanceled,
                         absl::StrCat("COPY from stdin failed: ", std::string(reason)));
      }
      case frontend::kFlush:
      case frontend::kSync:
        continue;  // PostgreSQL ignores them during COPY FROM STDIN
      default:
        return MakeError(ErrorCode::kProtocolViolation,
                         absl::StrFormat("unexpected message type 0x%02X during COPY from stdin",
                                         static_cast<unsigned char>(message->type)));
    }
  }
}

absl::Status Connection::CopyStream::BeginCopyOut(int columns) {
  WriteCopyResponse(conn_->writer_, backend::kCopyOutResponse, columns);
  return absl::OkStatus();
}

absl::Status Connection::CopyStream::WriteCopyData(std::string_view data) {
  MessageWriter& w = conn_->writer_;
  w.Begin(backend::kCopyData);
  w.PutBytes(data);
  w.End();
  if (w.size() >= Connection::kFlushThreshold) return conn_->Flush();
  return absl::OkStatus();
}

absl::Status Connection::CopyStream::EndCopyOut() {
  MessageWriter& w = conn_->writer_;
  w.Begin(backend::kCopyDone);
  w.End();
  return absl::OkStatus();
}

}  // namespace cairn::pgwire
