#include "parser/ast/session.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "parser/ast/sql_text.h"

namespace cairn::ast {
namespace {

std::string VariableName(const std::string& name) {
  std::vector<std::string> parts = absl::StrSplit(name, '.');
  return QuoteQualified(parts);
}

// SHOW ALL / RESET ALL and the special names.
std::string ShowName(const std::string& name) {
  if (name == "all") return "ALL";
  if (name == ShowStatement::kClusterNodes) return "CLUSTER NODES";
  return VariableName(name);
}

}  // namespace

const char* IsolationLevelText(IsolationLevel level) {
  switch (level) {
    case IsolationLevel::kReadUncommitted: return "READ UNCOMMITTED";
    case IsolationLevel::kReadCommitted: return "READ COMMITTED";
    case IsolationLevel::kRepeatableRead: return "REPEATABLE READ";
    case IsolationLevel::kSerializable: return "SERIALIZABLE";
  }
  return "";
}

std::string TransactionModes::ToString() const {
  std::vector<std::string> parts;
  if (isolation) parts.push_back(absl::StrCat("ISOLATION LEVEL ", IsolationLevelText(*isolation)));
  if (read_only) parts.push_back(*read_only ? "READ ONLY" : "READ WRITE");
  if (deferrable) parts.push_back(*deferrable ? "DEFERRABLE" : "NOT DEFERRABLE");
  return absl::StrJoin(parts, ", ");
}

std::string TransactionStatement::ToString() const {
  const std::string modes_text = modes.empty() ? "" : " " + modes.ToString();
  switch (txn_kind) {
    case TransactionStmtKind::kBegin:
      return (start_transaction ? "START TRANSACTION" : "BEGIN") + modes_text;
    case TransactionStmtKind::kCommit: return "COMMIT";
    case TransactionStmtKind::kRollback: return "ROLLBACK";
    case TransactionStmtKind::kSavepoint: return "SAVEPOINT " + QuoteIdentifier(savepoint);
    case TransactionStmtKind::kRelease: return "RELEASE SAVEPOINT " + QuoteIdentifier(savepoint);
    case TransactionStmtKind::kRollbackToSavepoint:
      return "ROLLBACK TO SAVEPOINT " + QuoteIdentifier(savepoint);
  }
  return "";
}

std::string SetStatement::ToString() const {
  std::string out = cluster ? "SET CLUSTER SETTING " : local ? "SET LOCAL " : "SET ";
  switch (set_kind) {
    case SetKind::kTransaction: return out + "TRANSACTION " + modes.ToString();
    case SetKind::kSessionCharacteristics:
      return out + "SESSION CHARACTERISTICS AS TRANSACTION " + modes.ToString();
    case SetKind::kDefault: return absl::StrCat(out, VariableName(name), " TO DEFAULT");
    case SetKind::kConstraints:
      return absl::StrCat(out, "CONSTRAINTS ", values.empty() ? "ALL" : absl::StrJoin(values, ", "),
                          constraints_deferred ? " DEFERRED" : " IMMEDIATE");
    case SetKind::kValue:
      return absl::StrCat(out, VariableName(name), " TO ",
                          absl::StrJoin(values, ", ", [](std::string* o, const std::string& v) {
                            o->append(QuoteString(v));
                          }));
  }
  return out;
}

std::string ShowStatement::ToString() const {
  if (cluster_setting) return "SHOW CLUSTER SETTING " + name;
  if (name == kRanges) return table ? "SHOW RANGES FROM TABLE " + table->ToString() : "SHOW RANGES";
  return "SHOW " + ShowName(name);
}

std::string ResetStatement::ToString() const { return "RESET " + ShowName(name); }

std::string ExplainStatement::ToString() const {
  if (options.empty()) return "EXPLAIN " + statement->ToString();
  std::vector<std::string> parts;
  for (const Option& option : options) {
    std::string part = OptionName(option.name);
    if (!option.value.empty()) absl::StrAppend(&part, " ", QuoteString(option.value));
    parts.push_back(std::move(part));
  }
  return absl::StrCat("EXPLAIN (", absl::StrJoin(parts, ", "), ") ", statement->ToString());
}

}  // namespace cairn::ast
