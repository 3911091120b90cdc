// Differential testing against PostgreSQL 15 (issue #6): a CairnDB node and
// a throwaway PostgreSQL run the same SQL and must answer alike, rows (as
// multisets unless the query orders them) or SQLSTATEs.
//
//   HandWritten: every record of tests/sql/*.test but cairn_*.test (those
//     hold CairnDB's own answers), file by file, each file in a database of
//     its own on both servers.
//   RandomQueries: a random schema and CAIRN_DIFF_QUERIES (default 3000)
//     random queries from CAIRN_TEST_SEED (default fixed); a difference
//     prints its seed and query number, which replay exactly.
//
// Without PostgreSQL 15's server programs (scripts/install-deps installs
// them) the tests are skipped, with one line that says so.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cairn_process.h"
#include "gtest/gtest.h"
#include "postgres_process.h"
#include "random_query_generator.h"
#include "sql_script.h"
#include "test_seed.h"

namespace cairn::differential {
namespace {

namespace fs = std::filesystem;
using ::cairn::testing::CairnProcess;
using ::cairn::testing::Connect;
using ::cairn::testing::Execute;
using ::cairn::testing::Outcome;
using ::cairn::testing::PostgresProcess;

constexpr int kStatementTimeoutS = 60;

// Both servers, started once for the binary.
class Servers : public ::testing::Environment {
 public:
  static Servers* Get() {
    static Servers* servers = new Servers;
    return servers;
  }
  void SetUp() override {
    if (!PostgresProcess::Installed()) {
      std::printf(
          "differential tests skipped: PostgreSQL 15 is not installed "
          "(/usr/lib/postgresql/15/bin; scripts/install-deps installs it)\n");
      return;
    }
    node_ = std::make_unique<CairnProcess>();
    pg_ = std::make_unique<PostgresProcess>();
    ASSERT_TRUE(node_->Start());
    ASSERT_TRUE(pg_->Start());
    ready_ = true;
  }
  // Both go here, not when gtest destroys its environments: a CairnProcess
  // reports to gtest as it goes, which gtest's own teardown no longer takes.
  void TearDown() override {
    pg_.reset();
    if (node_ && node_->running()) node_->Stop();
    node_.reset();
  }
  bool ready() const { return ready_; }
  std::string cairn_dsn() { return node_->Dsn(); }
  const std::string& pg_dsn() const { return pg_->Dsn(); }

 private:
  std::unique_ptr<CairnProcess> node_;
  std::unique_ptr<PostgresProcess> pg_;
  bool ready_ = false;
};

// A connection to a fresh database of `name` on each server.
struct Pair {
  PGconn* cairn = nullptr;
  PGconn* pg = nullptr;
  ~Pair() {
    if (cairn) PQfinish(cairn);
    if (pg) PQfinish(pg);
  }
};

::testing::AssertionResult OpenPair(const std::string& name, Pair* pair) {
  Servers* s = Servers::Get();
  for (const auto& [dsn, conn] :
       {std::pair{s->cairn_dsn(), &pair->cairn}, std::pair{s->pg_dsn(), &pair->pg}}) {
    std::string error;
    PGconn* admin = Connect(dsn, "", &error);
    if (admin == nullptr) return ::testing::AssertionFailure() << dsn << ": " << error;
    Execute(admin, "DROP DATABASE IF EXISTS " + name, kStatementTimeoutS);
    Outcome created = Execute(admin, "CREATE DATABASE " + name, kStatementTimeoutS);
    PQfinish(admin);
    if (!created.ok) return ::testing::AssertionFailure() << dsn << ": " << created.message;
    *conn = Connect(dsn, name, &error);
    if (*conn == nullptr) return ::testing::AssertionFailure() << dsn << ": " << error;
  }
  return ::testing::AssertionSuccess();
}

std::string Describe(const Outcome& o) {
  if (!o.ok) return "error " + o.sqlstate + ": " + o.message;
  std::string out = o.has_rows ? std::to_string(o.rows.size()) + " row(s)" : "ok " + o.cmd_tuples;
  for (size_t i = 0; i < o.rows.size() && i < 20; ++i) out += "\n    " + o.rows[i];
  if (o.rows.size() > 20) out += "\n    ...";
  return out;
}

// Whether the two outcomes agree; rows as multisets unless `ordered`.
bool Agree(Outcome a, Outcome b, bool ordered) {
  if (a.ok != b.ok) return false;
  if (!a.ok) return a.sqlstate == b.sqlstate;
  if (a.has_rows != b.has_rows) return false;
  if (!a.has_rows) return a.cmd_tuples == b.cmd_tuples;
  if (!ordered) {
    std::sort(a.rows.begin(), a.rows.end());
    std::sort(b.rows.begin(), b.rows.end());
  }
  return a.rows == b.rows;
}

// A query's rows are in a defined order when it ends in an ORDER BY (at
// the top level: a rough test, good for the scripts and the generator).
bool Ordered(const std::string& sql) {
  std::string upper = sql;
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  const size_t order = upper.rfind("ORDER BY");
  if (order == std::string::npos) return false;
  // Not inside a subquery or a window: no closing parenthesis after it.
  return upper.find(')', order) == std::string::npos;
}

TEST(DifferentialTest, HandWritten) {
  if (!Servers::Get()->ready()) GTEST_SKIP() << "PostgreSQL 15 is not installed";
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(CAIRN_SQL_TEST_DIR)) {
    // cairn_*.test hold CairnDB's own answers (what it does differently on
    // purpose); the others hold PostgreSQL's.
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".test" && name.rfind("cairn_", 0) != 0) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  int queries = 0, statements = 0;
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    ::cairn::testing::Script script;
    std::string error;
    ASSERT_TRUE(ParseScript(file, &script, &error)) << error;
    Pair pair;
    // The name tests/sql's runner gives it: some scripts name their database.
    std::string db = "sqltest_" + file.stem().string();
    std::replace_if(
        db.begin(), db.end(), [](char c) { return !std::isalnum(c); }, '_');
    ASSERT_TRUE(OpenPair(db, &pair));
    for (const auto& record : script.records) {
      const Outcome c = Execute(pair.cairn, record.sql, kStatementTimeoutS);
      const Outcome p = Execute(pair.pg, record.sql, kStatementTimeoutS);
      ASSERT_FALSE(c.broken) << record.sql << ": " << c.message;
      ASSERT_FALSE(p.broken) << record.sql << ": " << p.message;
      const bool ordered = !record.rowsort && Ordered(record.sql);
      EXPECT_TRUE(Agree(c, p, ordered))
          << file.filename().string() << ":" << record.line << "\n  " << record.sql
          << "\n  CairnDB: " << Describe(c) << "\n  PostgreSQL: " << Describe(p);
      (record.kind == ::cairn::testing::Record::Kind::kQuery ? queries : statements)++;
    }
  }
  std::printf("compared %d queries and %d other statements from %zu scripts\n", queries, statements,
              files.size());
  EXPECT_GE(queries, 400);
}

TEST(DifferentialTest, RandomQueries) {
  if (!Servers::Get()->ready()) GTEST_SKIP() << "PostgreSQL 15 is not installed";
  const uint64_t seed = ::cairn::testing::TestSeed(20261205);
  SCOPED_TRACE(::cairn::testing::SeedTrace(seed));
  const char* env = std::getenv("CAIRN_DIFF_QUERIES");
  const int count = env != nullptr ? std::atoi(env) : 3000;
  Pair pair;
  ASSERT_TRUE(OpenPair("diff_random", &pair));
  RandomQueryGenerator gen(seed);
  for (const std::string& sql : gen.Schema()) {
    const Outcome c = Execute(pair.cairn, sql, kStatementTimeoutS);
    const Outcome p = Execute(pair.pg, sql, kStatementTimeoutS);
    ASSERT_TRUE(c.ok && p.ok) << sql << "\n  CairnDB: " << Describe(c)
                              << "\n  PostgreSQL: " << Describe(p);
  }
  int differences = 0, errors_alike = 0;
  std::map<std::string, int> error_states;  // of the errors both gave
  for (int i = 0; i < count && differences < 10; ++i) {
    const std::string sql = gen.Query();
    if (std::getenv("CAIRN_DIFF_PRINT") != nullptr) std::printf("%d: %s\n", i, sql.c_str());
    const Outcome c = Execute(pair.cairn, sql, kStatementTimeoutS);
    const Outcome p = Execute(pair.pg, sql, kStatementTimeoutS);
    ASSERT_FALSE(c.broken) << "query " << i << ": " << sql << ": " << c.message;
    ASSERT_FALSE(p.broken) << "query " << i << ": " << sql << ": " << p.message;
    if (!c.ok && !p.ok) {
      ++errors_alike;
      ++error_states[p.sqlstate];
    }
    if (!Agree(c, p, Ordered(sql))) {
      ++differences;
      ADD_FAILURE() << "query " << i << " of seed " << seed << ":\n  " << sql
                    << "\n  CairnDB: " << Describe(c) << "\n  PostgreSQL: " << Describe(p);
    }
  }
  std::string states;
  for (const auto& [state, n] : error_states) states += " " + state + " x" + std::to_string(n);
  std::printf("compared %d random queries (seed %llu): %d differences, %d errors on both (%s )\n",
              count, static_cast<unsigned long long>(seed), differences, errors_alike,
              states.c_str());
}

}  // namespace
}  // namespace cairn::differential

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::AddGlobalTestEnvironment(cairn::differential::Servers::Get());
  return RUN_ALL_TESTS();
}
