#include "fake_session.h"

#include <atomic>
#include <charconv>

#include "absl/strings/str_cat.h"
#include "common/error_code.h"
#include "common/sql_type.h"
#include "common/value.h"

namespace cairn::pgwire::test {

using executor::QueryObserver;
using executor::ResultColumn;
using executor::StatementResult;
using executor::TxnStatus;

// A prepared canned statement: its text, and the shape Prepare learned.
class FakePrepared : public executor::PreparedStatement {
 public:
  const std::vector<SqlType>& parameter_types() const override { return types; }
  bool returns_rows() const override { return !columns_.empty(); }
  const std::vector<ResultColumn>& columns() const override { return columns_; }
  bool empty() const override { return sql.empty(); }

  std::string sql;
  std::vector<SqlType> types;
  std::vector<ResultColumn> columns_;
};

// Keeps the one result a canned statement reports.
class CapturingObserver : public QueryObserver {
 public:
  void OnResult(const StatementResult& result) override { result_ = result; }
  void OnEmptyQuery() override {}
  StatementResult& result() { return result_; }

 private:
  StatementResult result_;
};

class FakeSession : public executor::SqlSession {
 public:
  FakeSession(FakeSessionFactory* factory, std::string user)
      : factory_(factory), user_(std::move(user)) {}

  absl::Status ExecuteQuery(std::string_view sql, QueryObserver* observer) override {
    bool any = false;
    size_t start = 0;
    while (start <= sql.size()) {
      size_t end = sql.find(';', start);
      if (end == std::string_view::npos) end = sql.size();
      size_t b = start;
      size_t e = end;
      while (b < e && IsSpace(sql[b])) ++b;
      while (e > b && IsSpace(sql[e - 1])) --e;
      if (b < e) {
        any = true;
        CAIRN_RETURN_IF_ERROR(Execute(sql.substr(b, e - b), static_cast<int>(b), observer));
      }
      start = end + 1;
    }
    if (!any) observer->OnEmptyQuery();
    return absl::OkStatus();
  }

  absl::StatusOr<std::shared_ptr<executor::PreparedStatement>> Prepare(
      std::string_view sql, const std::vector<SqlType>& declared) override {
    auto prepared = std::make_shared<FakePrepared>();
    prepared->sql = std::string(sql);
    if (sql == "SELECT $1, $2") {
      // Echoes its parameters: $1 int8 and $2 text unless declared.
      prepared->types = {SqlType::Of(TypeId::kInt64), SqlType::Of(TypeId::kText)};
      for (size_t i = 0; i < declared.size() && i < 2; ++i) {
        if (declared[i].id != TypeId::kUnknown) prepared->types[i] = declared[i];
      }
      prepared->columns_ = {ResultColumn{"a", prepared->types[0]},
                            ResultColumn{"b", prepared->types[1]}};
    } else if (sql == "SELECT bad") {
      return MakeError(ErrorCode::kSyntaxError, "syntax error at or near \"bad\"", 8);
    } else if (sql.starts_with("SELECT ")) {
      CapturingObserver shape;  // canned SELECTs have no side effects
      CAIRN_RETURN_IF_ERROR(Run(sql, 0, &shape));
      prepared->columns_ = shape.result().columns;
    }
    return prepared;
  }

  absl::StatusOr<StatementResult> ExecutePrepared(executor::PreparedStatement& statement,
                                                  const std::vector<Value>& params) override {
    auto& prepared = static_cast<FakePrepared&>(statement);
    if (prepared.sql == "SELECT $1, $2") {
      factory_->RecordStatement(prepared.sql);
      StatementResult result;
      result.returns_rows = true;
      result.columns = prepared.columns_;
      result.rows = {params};
      result.command_tag = "SELECT 1";
      return result;
    }
    CapturingObserver observer;
    CAIRN_RETURN_IF_ERROR(Execute(prepared.sql, 0, &observer));
    return observer.result();
  }

  TxnStatus txn_status() const override { return status_; }

  void Cancel() override { canceled_.store(true); }
  absl::Status Sync(bool) override { return absl::OkStatus(); }
  int64_t IdleInTransactionTimeoutMs() const override { return idle_timeout_ms_; }

  // Records the setting as a statement; "no_such_setting" is refused as
  // PostgreSQL refuses an unknown one.
  absl::Status ApplyStartupSetting(const std::string& name, const std::string& value) override {
    if (name == "no_such_setting") {
      return MakeError(ErrorCode::kUndefinedObject,
                       "unrecognized configuration parameter \"no_such_setting\"");
    }
    factory_->RecordStatement("startup " + name + "=" + value);
    return absl::OkStatus();
  }

  std::vector<std::pair<std::string, std::string>> InitialParameters() const override {
    return {{"server_version", "15.0"},
            {"is_superuser", "on"},
            {"session_authorization", user_},
            {"TimeZone", "UTC"},
            {"application_name", ""}};
  }

  void Close() override { factory_->RecordClose(); }

 private:
  static bool IsSpace(char c) { return c == ' ' || c == '\n' || c == '\t' || c == '\r'; }

  absl::Status Execute(std::string_view stmt, int offset, QueryObserver* observer) {
    factory_->RecordStatement(stmt);
    if (status_ == TxnStatus::kFailed && stmt != "COMMIT" && stmt != "ROLLBACK") {
      return MakeError(ErrorCode::kInFailedTransaction,
                       "current transaction is aborted, commands ignored until end of "
                       "transaction block");
    }
    absl::Status status = Run(stmt, offset, observer);
    if (!status.ok() && status_ == TxnStatus::kInBlock) status_ = TxnStatus::kFailed;
    return status;
  }

  absl::Status Run(std::string_view stmt, int offset, QueryObserver* observer) {
    StatementResult result;
    if (stmt == "SELECT 1") {
      result.returns_rows = true;
      result.columns = {ResultColumn{"?column?", SqlType::Of(TypeId::kInt32)}};
      result.rows = {{Value::Int32(1)}};
      result.command_tag = "SELECT 1";
    } else if (stmt.starts_with("SELECT rows ")) {
      std::string_view digits = stmt.substr(12);
      int n = 0;
      std::from_chars(digits.data(), digits.data() + digits.size(), n);
      result.returns_rows = true;
      result.columns = {ResultColumn{"i", SqlType::Of(TypeId::kInt64)},
                        ResultColumn{"t", SqlType::Of(TypeId::kText)}};
      for (int i = 1; i <= n; ++i) {
        result.rows.push_back({Value::Int64(i), Value::Text(absl::StrCat("row ", i))});
      }
      result.command_tag = absl::StrCat("SELECT ", n);
    } else if (stmt == "SELECT nulls") {
      result.returns_rows = true;
      result.columns = {ResultColumn{"a", SqlType::Of(TypeId::kInt32)},
                        ResultColumn{"b", SqlType::Of(TypeId::kText)},
                        ResultColumn{"c", SqlType::Of(TypeId::kBool)}};
      result.rows = {{Value::Null(TypeId::kInt32), Value::Text("x"), Value::Bool(true)},
                     {Value::Int32(2), Value::Null(TypeId::kText), Value::Bool(false)}};
      result.command_tag = "SELECT 2";
    } else if (stmt == "SELECT bad") {
      return MakeError(ErrorCode::kSyntaxError, "syntax error at or near \"bad\"", offset + 8);
    } else if (stmt == "FAIL") {
      return MakeError(ErrorCode::kDivisionByZero, "division by zero");
    } else if (stmt == "SHUTDOWN") {
      return MakeError(ErrorCode::kAdminShutdown,
                       "terminating connection due to administrator command");
    } else if (stmt == "INSERT") {
      result.command_tag = "INSERT 0 1";
    } else if (stmt == "BEGIN") {
      status_ = TxnStatus::kInBlock;
      result.command_tag = "BEGIN";
    } else if (stmt == "COMMIT" || stmt == "ROLLBACK") {
      result.command_tag = status_ == TxnStatus::kFailed ? "ROLLBACK" : std::string(stmt);
      status_ = TxnStatus::kIdle;
    } else if (stmt.starts_with("SET ")) {
      std::string_view rest = stmt.substr(4);
      const size_t eq = rest.find(" = ");
      if (eq == std::string_view::npos) return MakeError(ErrorCode::kSyntaxError, "bad SET");
      if (rest.substr(0, eq) == "idle_in_transaction_session_timeout") {
        std::string_view ms = rest.substr(eq + 3);
        std::from_chars(ms.data(), ms.data() + ms.size(), idle_timeout_ms_);
      }
      result.changed_parameters = {
          {std::string(rest.substr(0, eq)), std::string(rest.substr(eq + 3))}};
      result.command_tag = "SET";
    } else if (stmt == "WAIT") {
      canceled_.store(false);
      factory_->NotifyOnce(factory_->entered_wait_);
      // Canceled is canceled, even if released at the same time.
      while (!factory_->release_.WaitForNotificationWithTimeout(absl::Milliseconds(5)) &&
             !canceled_.load()) {
      }
      if (canceled_.load()) {
        return MakeError(ErrorCode::kQueryCanceled, "canceling statement due to user request");
      }
      result.command_tag = "DO";
    } else {
      return MakeError(ErrorCode::kFeatureNotSupported,
                       absl::StrCat("fake session: unknown statement: ", std::string(stmt)));
    }
    observer->OnResult(result);
    return absl::OkStatus();
  }

  FakeSessionFactory* const factory_;
  const std::string user_;
  TxnStatus status_ = TxnStatus::kIdle;
  std::atomic<bool> canceled_{false};
  int64_t idle_timeout_ms_ = 0;
};

absl::StatusOr<std::unique_ptr<executor::SqlSession>> FakeSessionFactory::NewSession(
    std::string_view user, std::string_view database) {
  if (database == "nope") {
    return MakeError(ErrorCode::kInvalidCatalogName,
                     absl::StrCat("database \"", std::string(database), "\" does not exist"));
  }
  absl::MutexLock lock(&mu_);
  ++created_;
  last_user_ = std::string(user);
  last_database_ = std::string(database);
  return std::make_unique<FakeSession>(this, std::string(user));
}

bool FakeSessionFactory::AwaitClosed(int n, absl::Duration timeout) {
  absl::MutexLock lock(&mu_);
  auto enough = [this, n]() ABSL_SHARED_LOCKS_REQUIRED(mu_) { return closed_ >= n; };
  return mu_.AwaitWithTimeout(absl::Condition(&enough), timeout);
}

int FakeSessionFactory::sessions_created() const {
  absl::MutexLock lock(&mu_);
  return created_;
}

int FakeSessionFactory::sessions_closed() const {
  absl::MutexLock lock(&mu_);
  return closed_;
}

std::string FakeSessionFactory::last_user() const {
  absl::MutexLock lock(&mu_);
  return last_user_;
}

std::string FakeSessionFactory::last_database() const {
  absl::MutexLock lock(&mu_);
  return last_database_;
}

std::vector<std::string> FakeSessionFactory::statements() const {
  absl::MutexLock lock(&mu_);
  return statements_;
}

void FakeSessionFactory::RecordStatement(std::string_view statement) {
  absl::MutexLock lock(&mu_);
  statements_.emplace_back(statement);
}

void FakeSessionFactory::RecordClose() {
  absl::MutexLock lock(&mu_);
  ++closed_;
}

}  // namespace cairn::pgwire::test
