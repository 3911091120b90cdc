// The extended query protocol: Parse makes a prepared statement, Bind a
// portal (the statement with parameter values and result formats),
// Describe tells their shapes, Execute runs a portal (to the end, or up to
// a row limit, suspending it), Close drops either, and Sync ends the
// sequence. Errors skip the rest of the sequence up to Sync.

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/error_code.h"
#include "common/value_text.h"
#include "pgwire/backend_messages.h"
#include "pgwire/binary_format.h"
#include "pgwire/connection.h"
#include "pgwire/pg_metrics.h"
#include "pgwire/protocol.h"

namespace cairn::pgwire {
namespace {


absl::Status ProtocolError(std::string_view message) {
  return MakeError(ErrorCode::kProtocolViolation, message);
}

absl::Status UnknownStatement(const std::string& name) {
  return MakeError(ErrorCode::kInvalidSqlStatementName,
                   name.empty() ? "unnamed prepared statement does not exist"
                                : absl::StrFormat("prepared statement \"%s\" does not exist", name));
}

absl::Status UnknownPortal(const std::string& name) {
  return MakeError(ErrorCode::kInvalidCursorName,
                   name.empty() ? "unnamed portal does not exist"
                                : absl::StrFormat("portal \"%s\" does not exist", name));
}

// A Bind message's format codes for `count` values: none means all text,
// one applies to all, else one each.
absl::StatusOr<std::vector<int16_t>> ExpandFormats(const std::vector<int16_t>& codes, size_t count,
                                                   std::string_view what) {
  for (int16_t code : codes) {
    if (code != kFormatText && code != kFormatBinary) {
      return MakeError(ErrorCode::kProtocolViolation,
                       absl::StrFormat("unsupported format code: %d", code));
    }
  }
  if (codes.empty()) return std::vector<int16_t>(count, kFormatText);
  if (codes.size() == 1) return std::vector<int16_t>(count, codes[0]);
  if (codes.size() != count) {
    return ProtocolError(
        absl::StrFormat("bind message has %d %s formats but %d %s", codes.size(), what, count,
                        what == "result" ? "columns" : "parameters"));
  }
  return codes;
}

absl::StatusOr<std::vector<int16_t>> ReadFormats(BodyReader& reader) {
  CAIRN_ASSIGN_OR_RETURN(int16_t n, reader.ReadInt16());
  if (n < 0) return ProtocolError("invalid number of format codes");
  std::vector<int16_t> codes;
  for (int i = 0; i < n; ++i) {
    CAIRN_ASSIGN_OR_RETURN(int16_t code, reader.ReadInt16());
    codes.push_back(code);
  }
  return codes;
}

}  // namespace

absl::Status Connection::RunExtended(absl::Status status) {
  if (status.ok()) return status;
  if (GetErrorCode(status) == ErrorCode::kAdminShutdown) return Fatal(status);
  WriteError(status);
  ignore_till_sync_ = true;
  return absl::OkStatus();
}

absl::Status Connection::HandleParse(std::string_view body) {
  BodyReader reader(body);
  CAIRN_ASSIGN_OR_RETURN(std::string_view name_view, reader.ReadCString());
  CAIRN_ASSIGN_OR_RETURN(std::string_view sql, reader.ReadCString());
  CAIRN_ASSIGN_OR_RETURN(int16_t count, reader.ReadInt16());
  if (count < 0) return ProtocolError("invalid number of parameter types");
  std::vector<SqlType> declared;
  for (int i = 0; i < count; ++i) {
    CAIRN_ASSIGN_OR_RETURN(int32_t oid, reader.ReadInt32());
    // A type CairnDB lacks is inferred from the parameter's use instead.
    std::optional<SqlType> type = SqlTypeFromPgOid(static_cast<uint32_t>(oid));
    declared.push_back(type.value_or(SqlType::Of(TypeId::kUnknown)));
  }
  if (!reader.AtEnd()) return ProtocolError("invalid Parse message format");
  std::string name(name_view);
  if (!name.empty() && statements_.contains(name)) {
    return MakeError(ErrorCode::kDuplicatePreparedStatement,
                     absl::StrFormat("prepared statement \"%s\" already exists", name));
  }
  PgMetrics::Get().queries_total->Add();
  CAIRN_ASSIGN_OR_RETURN(std::shared_ptr<executor::PreparedStatement> prepared,
                         session_->Prepare(sql, declared));
  statements_[name] = std::move(prepared);
  WriteParseComplete(writer_);
  return absl::OkStatus();
}

absl::Status Connection::HandleBind(std::string_view body) {
  BodyReader reader(body);
  CAIRN_ASSIGN_OR_RETURN(std::string_view portal_view, reader.ReadCString());
  CAIRN_ASSIGN_OR_RETURN(std::string_view statement_view, reader.ReadCString());
  CAIRN_ASSIGN_OR_RETURN(std::vector<int16_t> param_codes, ReadFormats(reader));
  CAIRN_ASSIGN_OR_RETURN(int16_t count, reader.ReadInt16());
  if (count < 0) return ProtocolError("invalid number of parameters");
  std::vector<std::optional<std::string_view>> raw;
  for (int i = 0; i < count; ++i) {
    CAIRN_ASSIGN_OR_RETURN(int32_t length, reader.ReadInt32());
    if (length == kNullLength) {
      raw.emplace_back(std::nullopt);
      continue;
    }
    if (length < 0) return ProtocolError("invalid parameter length");
    CAIRN_ASSIGN_OR_RETURN(std::string_view bytes, reader.ReadBytes(static_cast<size_t>(length)));
    raw.emplace_back(bytes);
  }
  CAIRN_ASSIGN_OR_RETURN(std::vector<int16_t> result_codes, ReadFormats(reader));
  if (!reader.AtEnd()) return ProtocolError("invalid Bind message format");

  const std::string statement_name(statement_view);
  auto it = statements_.find(statement_name);
  if (it == statements_.end()) return UnknownStatement(statement_name);
  const std::shared_ptr<executor::PreparedStatement>& statement = it->second;
  const std::vector<SqlType>& types = statement->parameter_types();
  if (raw.size() != types.size()) {
    return ProtocolError(absl::StrFormat(
        "bind message supplies %d parameters, but prepared statement \"%s\" requires %d",
        raw.size(), statement_name, types.size()));
  }
  CAIRN_ASSIGN_OR_RETURN(std::vector<int16_t> param_formats,
                         ExpandFormats(param_codes, raw.size(), "parameter"));
  Portal portal;
  portal.statement = statement;
  for (size_t i = 0; i < raw.size(); ++i) {
    if (!raw[i].has_value()) {
      portal.params.push_back(Value::Null(types[i].id));
      continue;
    }
    absl::StatusOr<Value> value = param_formats[i] == kFormatBinary
                                      ? DecodeBinaryValue(*raw[i], types[i])
                                      : ParseValue(*raw[i], types[i]);
    if (!value.ok()) {
      return MakeError(GetErrorCode(value.status()),
                       absl::StrCat(value.status().message(), " (parameter $", i + 1, ")"));
    }
    portal.params.push_back(*std::move(value));
  }
  CAIRN_ASSIGN_OR_RETURN(portal.result_formats,
                         ExpandFormats(result_codes, statement->columns().size(), "result"));

  std::string portal_name(portal_view);
  if (!portal_name.empty() && portals_.contains(portal_name)) {
    return MakeError(ErrorCode::kDuplicateCursor,
                     absl::StrFormat("portal \"%s\" already exists", portal_name));
  }
  portals_[portal_name] = std::move(portal);
  WriteBindComplete(writer_);
  return absl::OkStatus();
}

absl::Status Connection::HandleDescribe(std::string_view body) {
  BodyReader reader(body);
  CAIRN_ASSIGN_OR_RETURN(char kind, reader.ReadByte());
  CAIRN_ASSIGN_OR_RETURN(std::string_view name_view, reader.ReadCString());
  if (!reader.AtEnd()) return ProtocolError("invalid Describe message format");
  const std::string name(name_view);
  if (kind == 'S') {
    auto it = statements_.find(name);
    if (it == statements_.end()) return UnknownStatement(name);
    WriteParameterDescription(writer_, it->second->parameter_types());
    if (it->second->returns_rows()) {
      WriteRowDescription(writer_, it->second->columns());
    } else {
      WriteNoData(writer_);
    }
    return absl::OkStatus();
  }
  if (kind == 'P') {
    auto it = portals_.find(name);
    if (it == portals_.end()) return UnknownPortal(name);
    const Portal& portal = it->second;
    if (portal.statement->returns_rows()) {
      WriteRowDescription(writer_, portal.statement->columns(), portal.result_formats);
    } else {
      WriteNoData(writer_);
    }
    return absl::OkStatus();
  }
  return ProtocolError(absl::StrFormat("invalid DESCRIBE message subtype %d", kind));
}

absl::Status Connection::HandleExecute(std::string_view body) {
  BodyReader reader(body);
  CAIRN_ASSIGN_OR_RETURN(std::string_view name_view, reader.ReadCString());
  CAIRN_ASSIGN_OR_RETURN(int32_t max_rows, reader.ReadInt32());
  if (!reader.AtEnd()) return ProtocolError("invalid Execute message format");
  const std::string name(name_view);
  auto it = portals_.find(name);
  if (it == portals_.end()) return UnknownPortal(name);
  Portal& portal = it->second;
  if (portal.statement->empty()) {
    WriteEmptyQueryResponse(writer_);
    return absl::OkStatus();
  }
  if (!portal.result.has_value()) {
    CAIRN_ASSIGN_OR_RETURN(executor::StatementResult result,
                           session_->ExecutePrepared(*portal.statement, portal.params));
    for (const auto& [setting, value] : result.changed_parameters) {
      WriteParameterStatus(writer_, setting, value);
    }
    portal.result = std::move(result);
  }
  const executor::StatementResult& result = *portal.result;
  const size_t first = portal.next_row;
  if (result.returns_rows) {
    size_t end = result.rows.size();
    if (max_rows > 0) end = std::min(end, first + static_cast<size_t>(max_rows));
    for (size_t i = first; i < end; ++i) {
      WriteDataRow(writer_, result.rows[i], portal.result_formats);
      if (writer_.size() >= kFlushThreshold) (void)Flush();
    }
    portal.next_row = end;
    if (end < result.rows.size()) {
      WritePortalSuspended(writer_);
      return absl::OkStatus();
    }
  }
  // A SELECT's tag counts the rows this Execute sent, as PostgreSQL's does
  // for a portal fetched in parts.
  if (absl::StartsWith(result.command_tag, "SELECT ") && first > 0) {
    WriteCommandComplete(writer_, absl::StrCat("SELECT ", portal.next_row - first));
  } else {
    WriteCommandComplete(writer_, result.command_tag);
  }
  return absl::OkStatus();
}

absl::Status Connection::HandleClose(std::string_view body) {
  BodyReader reader(body);
  CAIRN_ASSIGN_OR_RETURN(char kind, reader.ReadByte());
  CAIRN_ASSIGN_OR_RETURN(std::string_view name_view, reader.ReadCString());
  if (!reader.AtEnd()) return ProtocolError("invalid Close message format");
  const std::string name(name_view);
  if (kind == 'S') {
    statements_.erase(name);  // its portals keep what they need
  } else if (kind == 'P') {
    portals_.erase(name);
  } else {
    return ProtocolError(absl::StrFormat("invalid CLOSE message subtype %d", kind));
  }
  WriteCloseComplete(writer_);  // closing what does not exist is no error
  return absl::OkStatus();
}

void Connection::HandleSync() {
  if (session_->txn_status() == executor::TxnStatus::kIdle) portals_.clear();
}

}  // namespace cairn::pgwire
