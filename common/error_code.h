#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"

namespace cairn {

// The one table of CairnDB error codes. Each code knows whether a client may
// retry the operation that produced it and which PostgreSQL SQLSTATE it
// becomes at the pgwire edge. Modules raise errors with MakeError(); the code
// travels inside absl::Status as a payload so that every layer can keep using
// plain absl::Status.
enum class ErrorCode : uint16_t {
  kInternal,
  kSyntaxError,
  kUndefinedTable,
  kUndefinedColumn,
  kUndefinedObject,
  kUndefinedFunction,
  kDuplicateTable,
  kDuplicateDatabase,
  kDuplicateObject,
  kDuplicateColumn,
  kInvalidCatalogName,
  kInvalidSchemaName,
  kAmbiguousColumn,
  kDuplicateAlias,
  kDatatypeMismatch,
  kInvalidTextRepresentation,
  kNumericValueOutOfRange,
  kDivisionByZero,
  kSubstringError,
  kInvalidArgumentForPowerFunction,
  kInvalidArgumentForLog,
  kInvalidRegularExpression,
  kProgramLimitExceeded,
  kStringDataRightTruncation,
  kInvalidDatetimeFormat,
  kDatetimeFieldOverflow,
  kIntervalFieldOverflow,
  kUniqueViolation,
  kNotNullViolation,
  kGroupingError,
  kFeatureNotSupported,
  kInvalidParameterValue,
  kUndefinedParameter,
  kCantChangeRuntimeParam,
  kInFailedTransaction,
  kActiveSqlTransaction,
  kNoActiveSqlTransaction,
  kInvalidTransactionState,
  kSerializationFailure,        // write-write conflict, lock held by another txn
  kStatementCompletionUnknown,  // a commit whose outcome could not be learned
  kLockNotAvailable,
  kProtocolViolation,
  kInvalidColumnReference,
  kSyntaxErrorOrAccessRule,
  kCardinalityViolation,
  kInvalidSqlStatementName,
  kInvalidCursorName,
  kDuplicatePreparedStatement,
  kDuplicateCursor,
  kInvalidBinaryRepresentation,
  kBadCopyFileFormat,
  kIdleInTransactionSessionTimeout,
  kInvalidTableDefinition,
  kObjectNotInPrerequisiteState,
  kWrongObjectType,
  kObjectInUse,
  kInsufficientPrivilege,
  kInvalidPassword,
  kInvalidAuthorizationSpecification,
  kDependentObjectsStillExist,
  kReservedName,
  kInvalidGrantOperation,
  kIndeterminateDatatype,
  kNullValueNotAllowed,
  kUntranslatableCharacter,
  kIndexCorrupted,
  kCheckViolation,
  kWindowingError,
  kInvalidArgumentForNtile,
  kInvalidArgumentForNthValue,
  kInvalidPrecedingOrFollowingSize,
  kInvalidForeignKey,
  kForeignKeyViolation,
  kQueryCanceled,
  kAdminShutdown,
  kIoError,          // a temporary file could not be written or read
  kUnavailable,      // no leader yet, store closing: retryable
  kInvalidArgument,  // programming error in a caller
  kNotFound,         // a key or descriptor a caller asked for is absent
  kRangeNotHere,     // a range command reached a node that does not serve
                     // the range (not its leader, or the range moved):
                     // the routing client refreshes and retries
  kDataCorrupted,
  kSnapshotTooOld,   // a read below its range's GC threshold (old versions removed)
};
// The highest code: codes travel between nodes as numbers, and a number
// above it is not one.
inline constexpr ErrorCode kLastErrorCode = ErrorCode::kSnapshotTooOld;

struct ErrorCodeInfo {
  ErrorCode code;
  std::string_view name;
  std::string_view sqlstate;
  bool retryable;
  absl::StatusCode status_code;
};

const ErrorCodeInfo& GetErrorCodeInfo(ErrorCode code);

// Builds a Status carrying `code`. `position` is a 1-based character offset
// into the query text when the error can be pinned to one.
absl::Status MakeError(ErrorCode code, std::string_view message,
                       std::optional<int> position = std::nullopt);

template <typename... Args>
absl::Status Errorf(ErrorCode code, const absl::FormatSpec<Args...>& format,
                    const Args&... args) {
  return MakeError(code, absl::StrFormat(format, args...));
}

// The CairnDB code carried by `status`; statuses that were not built by
// MakeError map from their absl code (kInternal for most).
ErrorCode GetErrorCode(const absl::Status& status);
std::optional<int> GetErrorPosition(const absl::Status& status);
absl::Status WithPosition(absl::Status status, int position);
// The secondary message (PostgreSQL's DETAIL field), if any.
absl::Status WithDetail(absl::Status status, std::string_view detail);
std::string GetErrorDetail(const absl::Status& status);
// Where the error happened (PostgreSQL's CONTEXT field), e.g. "COPY t, line
// 3, column a: \"x\"".
absl::Status WithContext(absl::Status status, std::string_view context);
std::string GetErrorContext(const absl::Status& status);
bool IsRetryable(const absl::Status& status);
std::string_view SqlState(const absl::Status& status);

}  // namespace cairn

// Returns from the current function when `expr` (an absl::Status) is not OK.
#define CAIRN_RETURN_IF_ERROR(expr)                  \
  do {                                               \
    ::absl::Status cairn_status_ = (expr);           \
    if (!cairn_status_.ok()) return cairn_status_;   \
  } while (0)

#define CAIRN_CONCAT_INNER_(a, b) a##b
#define CAIRN_CONCAT_(a, b) CAIRN_CONCAT_INNER_(a, b)

// CAIRN_ASSIGN_OR_RETURN(auto x, StatusOrExpr());
#define CAIRN_ASSIGN_OR_RETURN(lhs, expr) \
  CAIRN_ASSIGN_OR_RETURN_IMPL_(CAIRN_CONCAT_(cairn_statusor_, __LINE__), lhs, expr)
#define CAIRN_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return std::move(tmp).status();     \
  lhs = std::move(tmp).value()
