// SQL cursors: DECLARE runs its query at once and keeps the rows; FETCH
// and MOVE step through them with PostgreSQL's positions (0 before the
// first row, 1..n on a row, n+1 after the last). A cursor ends with its
// transaction unless declared WITH HOLD (and that transaction commits).

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/error_code.h"
#include "executor/session.h"

namespace cairn::executor {

absl::StatusOr<StatementResult> Session::DeclareCursor(const ast::DeclareCursorStatement& stmt,
                                                       txn::Txn* txn) {
  if (!stmt.with_hold && !txn_) {
    return MakeError(ErrorCode::kNoActiveSqlTransaction,
                     "DECLARE CURSOR can only be used in transaction blocks");
  }
  if (stmt.binary) {
    return MakeError(ErrorCode::kFeatureNotSupported, "binary cursors are not supported yet");
  }
  if (cursors_.contains(stmt.name)) {
    return MakeError(ErrorCode::kDuplicateCursor,
                     absl::StrFormat("cursor \"%s\" already exists", stmt.name));
  }
  CAIRN_ASSIGN_OR_RETURN(StatementResult rows, ExecuteQueryPlan(*stmt.query, txn, Bindings{}));
  Cursor& cursor = cursors_[stmt.name];
  cursor.result = std::move(rows);
  cursor.scroll = stmt.scroll;
  cursor.holdable = stmt.with_hold;
  cursor.in_block = txn_ != nullptr;
  StatementResult result;
  result.command_tag = "DECLARE CURSOR";
  return result;
}

absl::StatusOr<StatementResult> Session::Fetch(const ast::FetchStatement& stmt) {
  auto it = cursors_.find(stmt.cursor);
  if (it == cursors_.end()) {
    return MakeError(ErrorCode::kInvalidCursorName,
                     absl::StrFormat("cursor \"%s\" does not exist", stmt.cursor));
  }
  Cursor& cursor = it->second;
  const int64_t n = static_cast<int64_t>(cursor.result.rows.size());
  int64_t& p = cursor.position;
  // The rows visited, in order, by index (0-based).
  std::vector<int64_t> visited;
  bool backward_move = false;
  switch (stmt.direction) {
    case ast::FetchDirection::kForward: {
      const int64_t count = stmt.all ? n + 1 : stmt.count;
      for (int64_t i = 0; i < count && p <= n; ++i) {
        ++p;
        if (p <= n) visited.push_back(p - 1);
      }
      break;
    }
    case ast::FetchDirection::kBackward: {
      backward_move = true;
      const int64_t count = stmt.all ? n + 1 : stmt.count;
      for (int64_t i = 0; i < count && p >= 1; ++i) {
        --p;
        if (p >= 1) visited.push_back(p - 1);
      }
      break;
    }
    case ast::FetchDirection::kAbsolute:
    case ast::FetchDirection::kRelative: {
      int64_t target = stmt.direction == ast::FetchDirection::kAbsolute
                           ? (stmt.count >= 0 ? stmt.count : n + 1 + stmt.count)
                           : p + stmt.count;
      backward_move = target < p;
      p = std::clamp<int64_t>(target, 0, n + 1);
      if (p >= 1 && p <= n) visited.push_back(p - 1);
      break;
    }
  }
  if (backward_move && !cursor.scroll) {
    return WithDetail(MakeError(ErrorCode::kObjectNotInPrerequisiteState,
                                "cursor can only scan forward"),
                      "Declare it with SCROLL option to enable backward scan.");
  }
  StatementResult result;
  result.command_tag = absl::StrCat(stmt.move ? "MOVE " : "FETCH ", visited.size());
  if (stmt.move) return result;
  result.returns_rows = true;
  result.columns = cursor.result.columns;
  for (int64_t i : visited) result.rows.push_back(cursor.result.rows[i]);
  return result;
}

absl::StatusOr<StatementResult> Session::CloseCursor(const ast::CloseCursorStatement& stmt) {
  if (stmt.name.empty()) {
    cursors_.clear();
  } else if (cursors_.erase(stmt.name) == 0) {
    return MakeError(ErrorCode::kInvalidCursorName,
                     absl::StrFormat("cursor \"%s\" does not exist", stmt.name));
  }
  StatementResult result;
  result.command_tag = "CLOSE CURSOR";
  return result;
}

void Session::EndCursors(bool committed) {
  for (auto it = cursors_.begin(); it != cursors_.end();) {
    const Cursor& c = it->second;
    const bool keep = c.holdable && (committed || !c.in_block);
    if (keep) {
      it->second.in_block = false;
      ++it;
    } else {
      cursors_.erase(it++);
    }
  }
}

}  // namespace cairn::executor
