#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "common/value.h"
#include "executor/sql_session.h"
#include "pgwire/message_writer.h"

namespace cairn::pgwire {

// Builders for the backend messages CairnDB sends, each appending one
// complete message to a MessageWriter. They only format: what to send when
// is the connection's business.

enum class Severity { kFatal, kError, kWarning, kNotice, kInfo, kLog, kDebug };
std::string_view SeverityName(Severity severity);

// The fields of an ErrorResponse or NoticeResponse.
struct ErrorReport {
  Severity severity = Severity::kError;
  std::string sqlstate;
  std::string message;
  std::string detail;           // omitted when empty
  std::string hint;             // omitted when empty
  std::optional<int> position;  // 1-based character offset into the query
  std::string context;          // CONTEXT (where), omitted when empty
};

// The report for an error Status: SQLSTATE and position from
// common/error_code.h, the Status message as the primary message.
ErrorReport ReportFromStatus(Severity severity, const absl::Status& status);

void WriteErrorResponse(MessageWriter& w, const ErrorReport& report);
// REQUIRES: report.severity is kWarning or milder.
void WriteNoticeResponse(MessageWriter& w, const ErrorReport& report);

void WriteAuthenticationOk(MessageWriter& w);
void WriteParameterStatus(MessageWriter& w, std::string_view name, std::string_view value);
void WriteBackendKeyData(MessageWriter& w, int32_t process_id, int32_t secret_key);
void WriteNegotiateProtocolVersion(MessageWriter& w, int32_t newest_minor,
                                   const std::vector<std::string>& unrecognized_options);
void WriteReadyForQuery(MessageWriter& w, executor::TxnStatus status);

// Every column in text format, with no originating table.
void WriteRowDescription(MessageWriter& w, const std::vector<executor::ResultColumn>& columns);
// Column i in formats[i] (kFormatText or kFormatBinary).
void WriteRowDescription(MessageWriter& w, const std::vector<executor::ResultColumn>& columns,
                         const std::vector<int16_t>& formats);
// Values in PostgreSQL's text output format; NULL as length -1.
void WriteDataRow(MessageWriter& w, const Row& row);
// Value i in formats[i]: text, or PostgreSQL's binary send format.
void WriteDataRow(MessageWriter& w, const Row& row, const std::vector<int16_t>& formats);

// The extended query protocol's acknowledgements.
void WriteParseComplete(MessageWriter& w);
void WriteBindComplete(MessageWriter& w);
void WriteCloseComplete(MessageWriter& w);
void WriteNoData(MessageWriter& w);
void WritePortalSuspended(MessageWriter& w);
void WriteParameterDescription(MessageWriter& w, const std::vector<SqlType>& types);
void WriteCommandComplete(MessageWriter& w, std::string_view tag);
void WriteEmptyQueryResponse(MessageWriter& w);

}  // namespace cairn::pgwire
