#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "parser/ast/names.h"
#include "parser/ast/statement.h"

namespace cairn::ast {

enum class IsolationLevel : uint8_t {
  kReadUncommitted,
  kReadCommitted,
  kRepeatableRead,
  kSerializable,
};
const char* IsolationLevelText(IsolationLevel level);  // "REPEATABLE READ"

// ISOLATION LEVEL ..., READ ONLY | READ WRITE, [NOT] DEFERRABLE.
struct TransactionModes {
  std::optional<IsolationLevel> isolation;
  std::optional<bool> read_only;
  std::optional<bool> deferrable;
  bool empty() const { return !isolation && !read_only && !deferrable; }
  std::string ToString() const;  // "ISOLATION LEVEL SERIALIZABLE, READ ONLY"
};

enum class TransactionStmtKind : uint8_t {
  kBegin,     // BEGIN [WORK|TRANSACTION] [modes], START TRANSACTION [modes]
  kCommit,    // COMMIT, END
  kRollback,  // ROLLBACK, ABORT
  kSavepoint,
  kRelease,               // RELEASE [SAVEPOINT] name
  kRollbackToSavepoint,   // ROLLBACK TO [SAVEPOINT] name
};

struct TransactionStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kTransaction;
  TransactionStatement() : Statement(kKind) {}
  std::string ToString() const override;

  TransactionStmtKind txn_kind = TransactionStmtKind::kBegin;
  // START TRANSACTION rather than BEGIN: PostgreSQL's command tag differs.
  bool start_transaction = false;
  TransactionModes modes;  // kBegin
  std::string savepoint;   // kSavepoint, kRelease, kRollbackToSavepoint
};

enum class SetKind : uint8_t {
  kValue,                   // SET name = v1, v2 / TO ...
  kDefault,                 // SET name = DEFAULT, SET TIME ZONE DEFAULT|LOCAL
  kTransaction,             // SET TRANSACTION modes
  kSessionCharacteristics,  // SET SESSION CHARACTERISTICS AS TRANSACTION modes
  kConstraints,             // SET CONSTRAINTS ALL | names DEFERRED | IMMEDIATE
};

// SET. Special forms are normalised to their variable: SET TIME ZONE x is
// `timezone`, SET NAMES x is `client_encoding`, SET SCHEMA x is
// `search_path`.
struct SetStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kSet;
  SetStatement() : Statement(kKind) {}
  std::string ToString() const override;

  SetKind set_kind = SetKind::kValue;
  bool local = false;  // SET LOCAL
  // SET CLUSTER SETTING name = value | DEFAULT (kValue or kDefault): a
  // setting of the whole cluster, not of the session.
  bool cluster = false;
  std::string name;    // lower-cased; dotted names kept as "a.b"
  // Each value as PostgreSQL flattens it: string contents, identifiers
  // (folded), numbers and keywords (on, true) as text.
  std::vector<std::string> values;
  TransactionModes modes;  // kTransaction, kSessionCharacteristics
  // kConstraints: the constraint names (`values`; none: ALL) and the mode.
  bool constraints_deferred = false;
};

// SHOW name; SHOW ALL has name "all". SHOW TIME ZONE is "timezone" and SHOW
// TRANSACTION ISOLATION LEVEL is "transaction_isolation". SHOW CLUSTER NODES
// (the cluster's members, not a setting) is kClusterNodes, which no setting
// name can be (it holds a space).
struct ShowStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kShow;
  static constexpr std::string_view kClusterNodes = "cluster nodes";
  // SHOW RANGES [FROM TABLE table]: the ranges of the table, or all.
  static constexpr std::string_view kRanges = "ranges list";
  ShowStatement() : Statement(kKind) {}
  std::string ToString() const override;

  std::string name;
  std::optional<ObjectName> table;  // kRanges only
  bool cluster_setting = false;     // SHOW CLUSTER SETTING name
};

// RESET name; RESET ALL has name "all". Names normalised as for SHOW.
struct ResetStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kReset;
  ResetStatement() : Statement(kKind) {}
  std::string ToString() const override;

  std::string name;
};

struct ExplainStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kExplain;
  ExplainStatement() : Statement(kKind) {}
  std::string ToString() const override;

  // Shorthands for the two options every caller wants; the full list, in
  // order and as written, is in `options` (EXPLAIN ANALYZE VERBOSE x has
  // both there too).
  bool analyze = false;
  bool verbose = false;
  // Names and values lower-cased: "analyze", "costs", "format" "json", ...
  std::vector<Option> options;
  StatementPtr statement;  // SELECT, INSERT, UPDATE or DELETE
};

}  // namespace cairn::ast
