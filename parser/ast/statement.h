#pragma once

#include <cassert>
#include <cstdint>
#include <memory>
#include <string>

namespace cairn::ast {

enum class StatementKind : uint8_t {
  kSelect,          // SelectStatement (dml.h)
  kInsert,          // InsertStatement
  kUpdate,          // UpdateStatement
  kDelete,          // DeleteStatement
  kCreateDatabase,  // CreateDatabaseStatement (ddl.h)
  kDropDatabase,    // DropDatabaseStatement
  kCreateTable,     // CreateTableStatement
  kDropTable,       // DropTableStatement
  kCreateIndex,     // CreateIndexStatement
  kDropIndex,       // DropIndexStatement
  kAlterTable,      // AlterTableStatement
  kTruncate,        // TruncateStatement
  kTransaction,     // TransactionStatement (session.h): BEGIN, COMMIT, SAVEPOINT, ...
  kSet,             // SetStatement
  kShow,            // ShowStatement
  kReset,           // ResetStatement
  kExplain,         // ExplainStatement
  kCopy,            // CopyStatement (dml.h)
  kVacuum,          // VacuumStatement (ddl.h): VACUUM, ANALYZE
  kDeclareCursor,   // DeclareCursorStatement (cursor.h)
  kFetch,           // FetchStatement: FETCH, MOVE
  kCloseCursor,     // CloseCursorStatement
  kPrepare,         // PrepareStatement (prepared.h)
  kExecute,         // ExecuteStatement
  kDeallocate,      // DeallocateStatement
  kCreateRole,      // CreateRoleStatement (roles.h)
  kAlterRole,       // AlterRoleStatement
  kDropRole,        // DropRoleStatement
  kGrant,           // GrantStatement: GRANT and REVOKE
  kComment,         // CommentStatement (ddl.h)
};

// One SQL statement of a Query message. Built by the parser, then read-only.
// Switch on `kind` and downcast with As<T>().
class Statement {
 public:
  explicit Statement(StatementKind kind) : kind(kind) {}
  virtual ~Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // SQL text that parses back to an equal statement (without the ';').
  virtual std::string ToString() const = 0;

  template <typename T>
  const T& As() const {
    assert(kind == T::kKind);
    return static_cast<const T&>(*this);
  }
  template <typename T>
  T& As() {
    assert(kind == T::kKind);
    return static_cast<T&>(*this);
  }

  const StatementKind kind;
  // The statement's own text in the query string, in bytes: from its first
  // token up to and including its last (no ';', no surrounding whitespace or
  // comments). sql.substr(location, length) re-parses to the same statement.
  int location = 0;
  int length = 0;
};

using StatementPtr = std::unique_ptr<Statement>;

}  // namespace cairn::ast
