#pragma once

#include <cstddef>
#include <cstdint>

namespace cairn::pgwire {

// The vocabulary of the PostgreSQL v3 frontend/backend protocol
// (https://www.postgresql.org/docs/15/protocol-message-formats.html):
// message type bytes, startup request codes, ErrorResponse field codes and
// the limits CairnDB enforces on what a client may send. Values only; the
// framing lives in message_reader.h and message_writer.h.

// Frontend (client -> server) message types.
namespace frontend {
inline constexpr char kQuery = 'Q';
inline constexpr char kTerminate = 'X';
inline constexpr char kParse = 'P';
inline constexpr char kBind = 'B';
inline constexpr char kDescribe = 'D';
inline constexpr char kExecute = 'E';
inline constexpr char kSync = 'S';
inline constexpr char kClose = 'C';
inline constexpr char kFlush = 'H';
inline constexpr char kFunctionCall = 'F';
inline constexpr char kCopyData = 'd';
inline constexpr char kCopyDone = 'c';
inline constexpr char kCopyFail = 'f';
inline constexpr char kPassword = 'p';  // also SASL responses
}  // namespace frontend

// Backend (server -> client) message types.
namespace backend {
inline constexpr char kAuthentication = 'R';
inline constexpr char kParameterStatus = 'S';
inline constexpr char kBackendKeyData = 'K';
inline constexpr char kReadyForQuery = 'Z';
inline constexpr char kRowDescription = 'T';
inline constexpr char kDataRow = 'D';
inline constexpr char kCommandComplete = 'C';
inline constexpr char kEmptyQueryResponse = 'I';
inline constexpr char kErrorResponse = 'E';
inline constexpr char kNoticeResponse = 'N';
inline constexpr char kNegotiateProtocolVersion = 'v';
inline constexpr char kParseComplete = '1';
inline constexpr char kBindComplete = '2';
inline constexpr char kCloseComplete = '3';
inline constexpr char kNoData = 'n';
inline constexpr char kParameterDescription = 't';
inline constexpr char kPortalSuspended = 's';
inline constexpr char kCopyInResponse = 'G';
inline constexpr char kCopyOutResponse = 'H';
inline constexpr char kCopyData = 'd';
inline constexpr char kCopyDone = 'c';
}  // namespace backend

// The Int32 that opens a startup packet: a protocol version (major << 16 |
// minor) or one of the special request codes.
inline constexpr uint32_t kProtocolVersion3 = 3u << 16;
inline constexpr uint32_t kCancelRequestCode = (1234u << 16) | 5678u;
inline constexpr uint32_t kSslRequestCode = (1234u << 16) | 5679u;
inline constexpr uint32_t kGssEncRequestCode = (1234u << 16) | 5680u;
constexpr uint32_t ProtocolMajor(uint32_t version) { return version >> 16; }
constexpr uint32_t ProtocolMinor(uint32_t version) { return version & 0xffff; }

// The one-byte answer to SSLRequest/GSSENCRequest: encryption not offered.
inline constexpr char kEncryptionRefused = 'N';

// The one-byte answer to SSLRequest when TLS is configured.
inline constexpr char kEncryptionAccepted = 'S';

// Authentication request sub-codes.
inline constexpr int32_t kAuthOk = 0;
inline constexpr int32_t kAuthMd5Password = 5;
inline constexpr int32_t kAuthSasl = 10;
inline constexpr int32_t kAuthSaslContinue = 11;
inline constexpr int32_t kAuthSaslFinal = 12;

// ReadyForQuery's transaction status byte.
inline constexpr char kTxnIdle = 'I';
inline constexpr char kTxnInBlock = 'T';
inline constexpr char kTxnFailed = 'E';

// ErrorResponse/NoticeResponse field codes.
namespace field {
inline constexpr char kSeverity = 'S';          // localized
inline constexpr char kSeverityRaw = 'V';       // never localized
inline constexpr char kSqlState = 'C';
inline constexpr char kMessage = 'M';
inline constexpr char kDetail = 'D';
inline constexpr char kHint = 'H';
inline constexpr char kPosition = 'P';
inline constexpr char kWhere = 'W';
}  // namespace field

// Limits, as PostgreSQL 15 sets them. A startup packet (length word
// included) is at most 10000 bytes; any other message at most 1 GiB.
inline constexpr uint32_t kMaxStartupPacketLength = 10000;
inline constexpr uint32_t kMaxMessageLength = 1u << 30;

// A text-format column in RowDescription; a NULL column in DataRow.
inline constexpr int16_t kFormatText = 0;
inline constexpr int16_t kFormatBinary = 1;
inline constexpr int32_t kNullLength = -1;

}  // namespace cairn::pgwire
