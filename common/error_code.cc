#include "common/error_code.h"

#include <array>

#include "absl/strings/cord.h"
#include "absl/strings/numbers.h"

namespace cairn {
namespace {

using SC = absl::StatusCode;

constexpr char kCodePayload[] = "cairn.dev/error_code";
constexpr char kPositionPayload[] = "cairn.dev/position";
constexpr char kDetailPayload[] = "cairn.dev/detail";
constexpr char kContextPayload[] = "cairn.dev/context";

// Indexed by ErrorCode; the static_assert below keeps it complete.
constexpr ErrorCodeInfo kErrorCodes[] = {
    {ErrorCode::kInternal, "internal", "XX000", false, SC::kInternal},
    {ErrorCode::kSyntaxError, "syntax_error", "42601", false, SC::kInvalidArgument},
    {ErrorCode::kUndefinedTable, "undefined_table", "42P01", false, SC::kNotFound},
    {ErrorCode::kUndefinedColumn, "undefined_column", "42703", false, SC::kNotFound},
    {ErrorCode::kUndefinedObject, "undefined_object", "42704", false, SC::kNotFound},
    {ErrorCode::kUndefinedFunction, "undefined_function", "42883", false, SC::kNotFound},
    {ErrorCode::kDuplicateTable, "duplicate_table", "42P07", false, SC::kAlreadyExists},
    {ErrorCode::kDuplicateDatabase, "duplicate_database", "42P04", false, SC::kAlreadyExists},
    {ErrorCode::kDuplicateObject, "duplicate_object", "42710", false, SC::kAlreadyExists},
    {ErrorCode::kDuplicateColumn, "duplicate_column", "42701", false, SC::kAlreadyExists},
    {ErrorCode::kInvalidCatalogName, "invalid_catalog_name", "3D000", false, SC::kNotFound},
    {ErrorCode::kInvalidSchemaName, "invalid_schema_name", "3F000", false, SC::kNotFound},
    {ErrorCode::kAmbiguousColumn, "ambiguous_column", "42702", false, SC::kInvalidArgument},
    {ErrorCode::kDuplicateAlias, "duplicate_alias", "42712", false, SC::kInvalidArgument},
    {ErrorCode::kDatatypeMismatch, "datatype_mismatch", "42804", false, SC::kInvalidArgument},
    {ErrorCode::kInvalidTextRepresentation, "invalid_text_representation", "22P02", false,
     SC::kInvalidArgument},
    {ErrorCode::kNumericValueOutOfRange, "numeric_value_out_of_range", "22003", false,
     SC::kOutOfRange},
    {ErrorCode::kDivisionByZero, "division_by_zero", "22012", false, SC::kInvalidArgument},
    {ErrorCode::kSubstringError, "substring_error", "22011", false, SC::kInvalidArgument},
    {ErrorCode::kInvalidArgumentForPowerFunction, "invalid_argument_for_power_function", "2201F",
     false, SC::kInvalidArgument},
    {ErrorCode::kInvalidArgumentForLog, "invalid_argument_for_logarithm", "2201E", false,
     SC::kInvalidArgument},
    {ErrorCode::kInvalidRegularExpression, "invalid_regular_expression", "2201B", false,
     SC::kInvalidArgument},
    {ErrorCode::kProgramLimitExceeded, "program_limit_exceeded", "54000", false,
     SC::kResourceExhausted},
    {ErrorCode::kStringDataRightTruncation, "string_data_right_truncation", "22001", false,
     SC::kInvalidArgument},
    {ErrorCode::kInvalidDatetimeFormat, "invalid_datetime_format", "22007", false,
     SC::kInvalidArgument},
    {ErrorCode::kDatetimeFieldOverflow, "datetime_field_overflow", "22008", false, SC::kOutOfRange},
    {ErrorCode::kIntervalFieldOverflow, "interval_field_overflow", "22015", false, SC::kOutOfRange},
    {ErrorCode::kUniqueViolation, "unique_violation", "23505", false, SC::kAlreadyExists},
    {ErrorCode::kNotNullViolation, "not_null_violation", "23502", false, SC::kInvalidArgument},
    {ErrorCode::kGroupingError, "grouping_error", "42803", false, SC::kInvalidArgument},
    {ErrorCode::kFeatureNotSupported, "feature_not_supported", "0A000", false, SC::kUnimplemented},
    {ErrorCode::kInvalidParameterValue, "invalid_parameter_value", "22023", false,
     SC::kInvalidArgument},
    {ErrorCode::kUndefinedParameter, "undefined_parameter", "42P02", false, SC::kNotFound},
    {ErrorCode::kCantChangeRuntimeParam, "cant_change_runtime_param", "55P02", false,
     SC::kFailedPrecondition},
    {ErrorCode::kInFailedTransaction, "in_failed_sql_transaction", "25P02", false,
     SC::kFailedPrecondition},
    {ErrorCode::kActiveSqlTransaction, "active_sql_transaction", "25001", false,
     SC::kFailedPrecondition},
    {ErrorCode::kNoActiveSqlTransaction, "no_active_sql_transaction", "25P01", false,
     SC::kFailedPrecondition},
    {ErrorCode::kInvalidTransactionState, "invalid_transaction_state", "25000", false,
     SC::kFailedPrecondition},
    {ErrorCode::kSerializationFailure, "serialization_failure", "40001", true, SC::kAborted},
    {ErrorCode::kStatementCompletionUnknown, "statement_completion_unknown", "40003", false,
     SC::kUnknown},
    {ErrorCode::kLockNotAvailable, "lock_not_available", "55P03", true, SC::kAborted},
    {ErrorCode::kProtocolViolation, "protocol_violation", "08P01", false, SC::kInvalidArgument},
    {ErrorCode::kInvalidColumnReference, "invalid_column_reference", "42P10", false,
     SC::kInvalidArgument},
    {ErrorCode::kSyntaxErrorOrAccessRule, "syntax_error_or_access_rule_violation", "42000", false,
     SC::kInvalidArgument},
    {ErrorCode::kCardinalityViolation, "cardinality_violation", "21000", false,
     SC::kInvalidArgument},
    {ErrorCode::kInvalidSqlStatementName, "invalid_sql_statement_name", "26000", false,
     SC::kNotFound},
    {ErrorCode::kInvalidCursorName, "invalid_cursor_name", "34000", false, SC::kNotFound},
    {ErrorCode::kDuplicatePreparedStatement, "duplicate_prepared_statement", "42P05", false,
     SC::kAlreadyExists},
    {ErrorCode::kDuplicateCursor, "duplicate_cursor", "42P03", false, SC::kAlreadyExists},
    {ErrorCode::kInvalidBinaryRepresentation, "invalid_binary_representation", "22P03", false,
     SC::kInvalidArgument},
    {ErrorCode::kBadCopyFileFormat, "bad_copy_file_format", "22P04", false, SC::kInvalidArgument},
    {ErrorCode::kIdleInTransactionSessionTimeout, "idle_in_transaction_session_timeout", "25P03",
     false, SC::kDeadlineExceeded},
    {ErrorCode::kInvalidTableDefinition, "invalid_table_definition", "42P16", false,
     SC::kInvalidArgument},
    {ErrorCode::kObjectNotInPrerequisiteState, "object_not_in_prerequisite_state", "55000", false,
     SC::kFailedPrecondition},
    {ErrorCode::kWrongObjectType, "wrong_object_type", "42809", false, SC::kInvalidArgument},
    {ErrorCode::kObjectInUse, "object_in_use", "55006", false, SC::kFailedPrecondition},
    {ErrorCode::kInsufficientPrivilege, "insufficient_privilege", "42501", false,
     SC::kPermissionDenied},
    {ErrorCode::kInvalidPassword, "invalid_password", "28P01", false, SC::kUnauthenticated},
    {ErrorCode::kInvalidAuthorizationSpecification, "invalid_authorization_specification", "28000",
     false, SC::kUnauthenticated},
    {ErrorCode::kDependentObjectsStillExist, "dependent_objects_still_exist", "2BP01", false,
     SC::kFailedPrecondition},
    {ErrorCode::kReservedName, "reserved_name", "42939", false, SC::kInvalidArgument},
    {ErrorCode::kInvalidGrantOperation, "invalid_grant_operation", "0LP01", false,
     SC::kInvalidArgument},
    {ErrorCode::kIndeterminateDatatype, "indeterminate_datatype", "42P18", false,
     SC::kInvalidArgument},
    {ErrorCode::kNullValueNotAllowed, "null_value_not_allowed", "22004", false,
     SC::kInvalidArgument},
    {ErrorCode::kUntranslatableCharacter, "untranslatable_character", "22P05", false,
     SC::kInvalidArgument},
    {ErrorCode::kIndexCorrupted, "index_corrupted", "XX002", false, SC::kDataLoss},
    {ErrorCode::kCheckViolation, "check_violation", "23514", false, SC::kFailedPrecondition},
    {ErrorCode::kWindowingError, "windowing_error", "42P20", false, SC::kInvalidArgument},
    {ErrorCode::kInvalidArgumentForNtile, "invalid_argument_for_ntile_function", "22014", false,
     SC::kInvalidArgument},
    {ErrorCode::kInvalidArgumentForNthValue, "invalid_argument_for_nth_value_function", "22016",
     false, SC::kInvalidArgument},
    {ErrorCode::kInvalidPrecedingOrFollowingSize, "invalid_preceding_or_following_size", "22013",
     false, SC::kInvalidArgument},
    {ErrorCode::kInvalidForeignKey, "invalid_foreign_key", "42830", false, SC::kInvalidArgument},
    {ErrorCode::kForeignKeyViolation, "foreign_key_violation", "23503", false,
     SC::kFailedPrecondition},
    {ErrorCode::kQueryCanceled, "query_canceled", "57014", false, SC::kCancelled},
    {ErrorCode::kAdminShutdown, "admin_shutdown", "57P01", false, SC::kUnavailable},
    {ErrorCode::kIoError, "io_error", "58030", false, SC::kInternal},
    {ErrorCode::kUnavailable, "unavailable", "08006", true, SC::kUnavailable},
    {ErrorCode::kInvalidArgument, "invalid_argument", "XX000", false, SC::kInvalidArgument},
    {ErrorCode::kNotFound, "not_found", "XX000", false, SC::kNotFound},
    {ErrorCode::kRangeNotHere, "range_not_here", "08006", true, SC::kUnavailable},
    {ErrorCode::kDataCorrupted, "data_corrupted", "XX001", false, SC::kDataLoss},
    {ErrorCode::kSnapshotTooOld, "snapshot_too_old", "72000", false, SC::kFailedPrecondition},
};
static_assert(std::size(kErrorCodes) == static_cast<size_t>(kLastErrorCode) + 1);

}  // namespace

const ErrorCodeInfo& GetErrorCodeInfo(ErrorCode code) {
  return kErrorCodes[static_cast<size_t>(code)];
}

absl::Status MakeError(ErrorCode code, std::string_view message, std::optional<int> position) {
  const ErrorCodeInfo& info = GetErrorCodeInfo(code);
  absl::Status status(info.status_code, std::string(message));
  status.SetPayload(kCodePayload, absl::Cord(std::to_string(static_cast<int>(code))));
  if (position) status.SetPayload(kPositionPayload, absl::Cord(std::to_string(*position)));
  return status;
}

ErrorCode GetErrorCode(const absl::Status& status) {
  if (auto payload = status.GetPayload(kCodePayload)) {
    int value = 0;
    if (absl::SimpleAtoi(std::string(*payload), &value) && value >= 0 &&
        value <= static_cast<int>(kLastErrorCode)) {
      return static_cast<ErrorCode>(value);
    }
  }
  switch (status.code()) {
    case SC::kUnavailable: return ErrorCode::kUnavailable;
    case SC::kAborted: return ErrorCode::kSerializationFailure;
    case SC::kCancelled: return ErrorCode::kQueryCanceled;
    case SC::kDataLoss: return ErrorCode::kDataCorrupted;
    default: return ErrorCode::kInternal;
  }
}

std::optional<int> GetErrorPosition(const absl::Status& status) {
  if (auto payload = status.GetPayload(kPositionPayload)) {
    int value = 0;
    if (absl::SimpleAtoi(std::string(*payload), &value)) return value;
  }
  return std::nullopt;
}

absl::Status WithPosition(absl::Status status, int position) {
  if (!status.ok() && !GetErrorPosition(status)) {
    status.SetPayload(kPositionPayload, absl::Cord(std::to_string(position)));
  }
  return status;
}

absl::Status WithDetail(absl::Status status, std::string_view detail) {
  if (!status.ok()) status.SetPayload(kDetailPayload, absl::Cord(std::string(detail)));
  return status;
}

absl::Status WithContext(absl::Status status, std::string_view context) {
  if (!status.ok()) status.SetPayload(kContextPayload, absl::Cord(std::string(context)));
  return status;
}

std::string GetErrorContext(const absl::Status& status) {
  if (auto payload = status.GetPayload(kContextPayload)) return std::string(*payload);
  return "";
}

std::string GetErrorDetail(const absl::Status& status) {
  if (auto payload = status.GetPayload(kDetailPayload)) return std::string(*payload);
  return "";
}

bool IsRetryable(const absl::Status& status) {
  return !status.ok() && GetErrorCodeInfo(GetErrorCode(status)).retryable;
}

std::string_view SqlState(const absl::Status& status) {
  return GetErrorCodeInfo(GetErrorCode(status)).sqlstate;
}

}  // namespace cairn
