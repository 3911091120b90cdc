#include "pgwire/backend_messages.h"

#include <cassert>

#include "absl/strings/str_cat.h"
#include "common/error_code.h"
#include "common/sql_type.h"
#include "common/value_text.h"
#include "pgwire/binary_format.h"
#include "pgwire/protocol.h"

namespace cairn::pgwire {
namespace {

void WriteReportFields(MessageWriter& w, const ErrorReport& report) {
  const std::string_view severity = SeverityName(report.severity);
  w.PutByte(field::kSeverity);
  w.PutCString(severity);
  w.PutByte(field::kSeverityRaw);
  w.PutCString(severity);
  w.PutByte(field::kSqlState);
  w.PutCString(report.sqlstate);
  w.PutByte(field::kMessage);
  w.PutCString(report.message);
  if (!report.detail.empty()) {
    w.PutByte(field::kDetail);
    w.PutCString(report.detail);
  }
  if (!report.hint.empty()) {
    w.PutByte(field::kHint);
    w.PutCString(report.hint);
  }
  if (!report.context.empty()) {
    w.PutByte(field::kWhere);
    w.PutCString(report.context);
  }
  if (report.position) {
    w.PutByte(field::kPosition);
    w.PutCString(absl::StrCat(*report.position));
  }
  w.PutByte('\0');
}

}  // namespace

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kFatal:
      return "FATAL";
    case Severity::kError:
      return "ERROR";
    case Severity::kWarning:
      return "WARNING";
    case Severity::kNotice:
      return "NOTICE";
    case Severity::kInfo:
      return "INFO";
    case Severity::kLog:
      return "LOG";
    case Severity::kDebug:
      return "DEBUG";
  }
  return "ERROR";
}

ErrorReport ReportFromStatus(Severity severity, const absl::Status& status) {
  ErrorReport report;
  report.severity = severity;
  report.sqlstate = std::string(SqlState(status));
  report.message = std::string(status.message());
  report.position = GetErrorPosition(status);
  report.detail = GetErrorDetail(status);
  report.context = GetErrorContext(status);
  return report;
}

void WriteErrorResponse(MessageWriter& w, const ErrorReport& report) {
  w.Begin(backend::kErrorResponse);
  WriteReportFields(w, report);
  w.End();
}

void WriteNoticeResponse(MessageWriter& w, const ErrorReport& report) {
  assert(report.severity != Severity::kError && report.severity != Severity::kFatal);
  w.Begin(backend::kNoticeResponse);
  WriteReportFields(w, report);
  w.End();
}

void WriteAuthenticationOk(MessageWriter& w) {
  w.Begin(backend::kAuthentication);
  w.PutInt32(kAuthOk);
  w.End();
}

void WriteParameterStatus(MessageWriter& w, std::string_view name, std::string_view value) {
  w.Begin(backend::kParameterStatus);
  w.PutCString(name);
  w.PutCString(value);
  w.End();
}

void WriteBackendKeyData(MessageWriter& w, int32_t process_id, int32_t secret_key) {
  w.Begin(backend::kBackendKeyData);
  w.PutInt32(process_id);
  w.PutInt32(secret_key);
  w.End();
}

void WriteNegotiateProtocolVersion(MessageWriter& w, int32_t newest_minor,
                                   const std::vector<std::string>& unrecognized_options) {
  w.Begin(backend::kNegotiateProtocolVersion);
  w.PutInt32(newest_minor);
  w.PutInt32(static_cast<int32_t>(unrecognized_options.size()));
  for (const std::string& option : unrecognized_options) w.PutCString(option);
  w.End();
}

void WriteReadyForQuery(MessageWriter& w, executor::TxnStatus status) {
  w.Begin(backend::kReadyForQuery);
  switch (status) {
    case executor::TxnStatus::kIdle:
      w.PutByte(kTxnIdle);
      break;
    case executor::TxnStatus::kInBlock:
      w.PutByte(kTxnInBlock);
      break;
    case executor::TxnStatus::kFailed:
      w.PutByte(kTxnFailed);
      break;
  }
  w.End();
}

void WriteRowDescription(MessageWriter& w, const std::vector<executor::ResultColumn>& columns) {
  WriteRowDescription(w, columns, std::vector<int16_t>(columns.size(), kFormatText));
}

void WriteRowDescription(MessageWriter& w, const std::vector<executor::ResultColumn>& columns,
                         const std::vector<int16_t>& formats) {
  w.Begin(backend::kRowDescription);
  w.PutInt16(static_cast<int16_t>(columns.size()));
  for (size_t i = 0; i < columns.size(); ++i) {
    const executor::ResultColumn& column = columns[i];
    w.PutCString(column.name);
    w.PutInt32(0);  // table OID
    w.PutInt16(0);  // column attribute number
    w.PutInt32(static_cast<int32_t>(PgTypeOid(column.type)));
    w.PutInt16(PgTypeLen(column.type.id));
    w.PutInt32(PgTypeMod(column.type));
    w.PutInt16(i < formats.size() ? formats[i] : kFormatText);
  }
  w.End();
}

void WriteDataRow(MessageWriter& w, const Row& row) {
  w.Begin(backend::kDataRow);
  w.PutInt16(static_cast<int16_t>(row.size()));
  for (const Value& value : row) {
    if (value.is_null()) {
      w.PutInt32(kNullLength);
      continue;
    }
    const std::string text = FormatValue(value);
    w.PutInt32(static_cast<int32_t>(text.size()));
    w.PutBytes(text);
  }
  w.End();
}

void WriteDataRow(MessageWriter& w, const Row& row, const std::vector<int16_t>& formats) {
  w.Begin(backend::kDataRow);
  w.PutInt16(static_cast<int16_t>(row.size()));
  std::string bytes;
  for (size_t i = 0; i < row.size(); ++i) {
    const Value& value = row[i];
    if (value.is_null()) {
      w.PutInt32(kNullLength);
      continue;
    }
    bytes.clear();
    if (i < formats.size() && formats[i] == kFormatBinary) {
      AppendBinaryValue(value, &bytes);
    } else {
      bytes = FormatValue(value);
    }
    w.PutInt32(static_cast<int32_t>(bytes.size()));
    w.PutBytes(bytes);
  }
  w.End();
}

namespace {
void WriteEmptyMessage(MessageWriter& w, char type) {
  w.Begin(type);
  w.End();
}
}  // namespace

void WriteParseComplete(MessageWriter& w) { WriteEmptyMessage(w, backend::kParseComplete); }
void WriteBindComplete(MessageWriter& w) { WriteEmptyMessage(w, backend::kBindComplete); }
void WriteCloseComplete(MessageWriter& w) { WriteEmptyMessage(w, backend::kCloseComplete); }
void WriteNoData(MessageWriter& w) { WriteEmptyMessage(w, backend::kNoData); }
void WritePortalSuspended(MessageWriter& w) { WriteEmptyMessage(w, backend::kPortalSuspended); }

void WriteParameterDescription(MessageWriter& w, const std::vector<SqlType>& types) {
  w.Begin(backend::kParameterDescription);
  w.PutInt16(static_cast<int16_t>(types.size()));
  for (const SqlType& type : types) w.PutInt32(static_cast<int32_t>(PgTypeOid(type)));
  w.End();
}

void WriteCommandComplete(MessageWriter& w, std::string_view tag) {
  w.Begin(backend::kCommandComplete);
  w.PutCString(tag);
  w.End();
}

void WriteEmptyQueryResponse(MessageWriter& w) {
  w.Begin(backend::kEmptyQueryResponse);
  w.End();
}

}  // namespace cairn::pgwire
