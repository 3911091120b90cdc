// The extended query protocol through libpq and libpqxx against a real
// node: parameter types inferred as PostgreSQL infers them, every type in
// binary and text, prepared statements reused across executions and planned
// anew when a table changes, errors, and pgbench's extended and prepared
// modes. Expected values are PostgreSQL 15's: with CAIRN_TEST_PEER_DSN set
// (bench/postgres_peer.sh start prints one), the libpq tests run against
// that server instead, which is how they were checked.

#include <libpq-fe.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "cairn_process.h"
#include "clients.h"
#include "gtest/gtest.h"
#include "pg_client.h"
#include "pqxx/pqxx"

namespace cairn::e2e {
namespace {

using ::cairn::testing::NodeTest;

// Owns a PGresult.
struct ResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

std::string Sqlstate(const PGresult* r) {
  const char* s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
  return s != nullptr ? s : "";
}

std::string BigEndian(uint64_t v, int bytes) {
  std::string out;
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xff));
  }
  return out;
}

class ExtendedProtocolTest : public NodeTest {
 protected:
  void SetUp() override {
    NodeTest::SetUp();
    if (HasFatalFailure()) return;
    const char* peer = std::getenv("CAIRN_TEST_PEER_DSN");
    conn_ = PQconnectdb(peer != nullptr ? peer : node_.Dsn().c_str());
    ASSERT_EQ(PQstatus(conn_), CONNECTION_OK) << PQerrorMessage(conn_);
  }
  void TearDown() override {
    if (conn_ != nullptr) PQfinish(conn_);
    NodeTest::TearDown();
  }

  void MustExec(const std::string& sql) {
    Result r(PQexec(conn_, sql.c_str()));
    ASSERT_TRUE(PQresultStatus(r.get()) == PGRES_COMMAND_OK ||
                PQresultStatus(r.get()) == PGRES_TUPLES_OK)
        << sql << ": " << PQresultErrorMessage(r.get());
  }
  Result Prepare(const std::string& name, const std::string& sql) {
    return Result(PQprepare(conn_, name.c_str(), sql.c_str(), 0, nullptr));
  }
  std::vector<Oid> ParamTypes(const std::string& name) {
    Result d(PQdescribePrepared(conn_, name.c_str()));
    EXPECT_EQ(PQresultStatus(d.get()), PGRES_COMMAND_OK) << PQresultErrorMessage(d.get());
    std::vector<Oid> out;
    for (int i = 0; i < PQnparams(d.get()); ++i) out.push_back(PQparamtype(d.get(), i));
    return out;
  }
  // Runs prepared `name` with text parameters; rows as "a|b" lines.
  std::vector<std::string> RunText(const std::string& name,
                                   const std::vector<std::optional<std::string>>& params) {
    std::vector<const char*> values;
    for (const auto& p : params) values.push_back(p.has_value() ? p->c_str() : nullptr);
    Result r(PQexecPrepared(conn_, name.c_str(), static_cast<int>(values.size()), values.data(),
                            nullptr, nullptr, 0));
    EXPECT_TRUE(PQresultStatus(r.get()) == PGRES_TUPLES_OK ||
                PQresultStatus(r.get()) == PGRES_COMMAND_OK)
        << PQresultErrorMessage(r.get());
    std::vector<std::string> rows;
    for (int i = 0; i < PQntuples(r.get()); ++i) {
      std::string line;
      for (int c = 0; c < PQnfields(r.get()); ++c) {
        if (c > 0) line += "|";
        line += PQgetisnull(r.get(), i, c) ? "NULL" : PQgetvalue(r.get(), i, c);
      }
      rows.push_back(line);
    }
    return rows;
  }

  PGconn* conn_ = nullptr;
};

TEST_F(ExtendedProtocolTest, ParameterTypesAreInferredFromTheirUse) {
  MustExec("DROP TABLE IF EXISTS items");
  MustExec("CREATE TABLE items (id BIGINT PRIMARY KEY, name TEXT, price NUMERIC(10,2), "
           "day DATE, at TIMESTAMP, ok BOOLEAN, f DOUBLE PRECISION, b BYTEA, s SMALLINT, "
           "i INTEGER)");
  Result p = Prepare("ins", "INSERT INTO items VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)");
  ASSERT_EQ(PQresultStatus(p.get()), PGRES_COMMAND_OK) << PQresultErrorMessage(p.get());
  EXPECT_EQ(ParamTypes("ins"),
            (std::vector<Oid>{20, 25, 1700, 1082, 1114, 16, 701, 17, 21, 23}));

  p = Prepare("by_id", "SELECT name, price FROM items WHERE id = $1");
  ASSERT_EQ(PQresultStatus(p.get()), PGRES_COMMAND_OK) << PQresultErrorMessage(p.get());
  EXPECT_EQ(ParamTypes("by_id"), std::vector<Oid>{20});
  p = Prepare("range", "SELECT id FROM items WHERE price > $1 ORDER BY id LIMIT $2");
  ASSERT_EQ(PQresultStatus(p.get()), PGRES_COMMAND_OK) << PQresultErrorMessage(p.get());
  EXPECT_EQ(ParamTypes("range"), (std::vector<Oid>{1700, 20}));
  p = Prepare("echo", "SELECT $1");
  ASSERT_EQ(PQresultStatus(p.get()), PGRES_COMMAND_OK) << PQresultErrorMessage(p.get());
  EXPECT_EQ(ParamTypes("echo"), std::vector<Oid>{25});
  p = Prepare("upd", "UPDATE items SET name = $2 WHERE id = $1 RETURNING i + $3");
  ASSERT_EQ(PQresultStatus(p.get()), PGRES_COMMAND_OK) << PQresultErrorMessage(p.get());
  EXPECT_EQ(ParamTypes("upd"), (std::vector<Oid>{20, 25, 23}));

  // Run them, many times: the plan made at Parse is reused.
  for (int i = 1; i <= 20; ++i) {
    RunText("ins", {std::to_string(i), absl::StrCat("item ", i), absl::StrCat(i, ".5"),
                    "2024-01-02", "2024-01-02 03:04:05", i % 2 == 0 ? "true" : "false", "0.25",
                    "\\x00ff", std::to_string(i), std::to_string(i * 10)});
  }
  EXPECT_EQ(RunText("by_id", {"7"}), std::vector<std::string>{"item 7|7.50"});
  EXPECT_EQ(RunText("by_id", {"21"}), std::vector<std::string>{});
  EXPECT_EQ(RunText("by_id", {std::nullopt}), std::vector<std::string>{});
  EXPECT_EQ(RunText("range", {"17.9", "2"}), (std::vector<std::string>{"18", "19"}));
  EXPECT_EQ(RunText("echo", {"hi"}), std::vector<std::string>{"hi"});
  EXPECT_EQ(RunText("upd", {"3", "renamed", "1"}), std::vector<std::string>{"31"});
  EXPECT_EQ(RunText("by_id", {"3"}), std::vector<std::string>{"renamed|3.50"});
}

TEST_F(ExtendedProtocolTest, EveryTypeInBinaryBothWays) {
  MustExec("DROP TABLE IF EXISTS bin");
  MustExec("CREATE TABLE bin (k INTEGER PRIMARY KEY, s SMALLINT, b BIGINT, bo BOOLEAN, "
           "r REAL, d DOUBLE PRECISION, n NUMERIC(10,2), t TEXT, v VARCHAR(5), by BYTEA, "
           "da DATE, ts TIMESTAMP, tz TIMESTAMPTZ, iv INTERVAL)");
  const std::vector<std::string> binary = {
      BigEndian(1, 4),                                     // k int4
      BigEndian(static_cast<uint16_t>(-2), 2),             // s int2
      BigEndian(1234567890123ULL, 8),                      // b int8
      std::string(1, '\1'),                                // bo
      BigEndian(0x3fc00000, 4),                            // r 1.5
      BigEndian(0x4002000000000000ULL, 8),                 // d 2.25
      // n 12345.67: digits 1, 2345, 6700 (base 10000), weight 1, dscale 2
      BigEndian(3, 2) + BigEndian(1, 2) + BigEndian(0, 2) + BigEndian(2, 2) + BigEndian(1, 2) +
          BigEndian(2345, 2) + BigEndian(6700, 2),
      "héllo",                                             // t
      "abc",                                               // v
      std::string("\0\xff", 2),                            // by
      BigEndian(8767, 4),                                  // da 2024-01-02
      BigEndian(757479845123456ULL, 8),                    // ts 2024-01-02 03:04:05.123456
      BigEndian(757479845123456ULL, 8),                    // tz, the same instant
      // iv 1 year 2 mons -3 days 04:05:06.5: micros, days, months
      BigEndian(14706500000ULL, 8) + BigEndian(static_cast<uint32_t>(-3), 4) + BigEndian(14, 4),
  };
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  for (const std::string& v : binary) {
    values.push_back(v.data());
    lengths.push_back(static_cast<int>(v.size()));
    formats.push_back(1);
  }
  Result ins(PQexecParams(conn_, "INSERT INTO bin VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)",
                          14, nullptr, values.data(), lengths.data(), formats.data(), 0));
  ASSERT_EQ(PQresultStatus(ins.get()), PGRES_COMMAND_OK) << PQresultErrorMessage(ins.get());

  MustExec("SET TIME ZONE 'UTC'");
  Result text(PQexecParams(conn_, "SELECT * FROM bin WHERE k = $1", 1, nullptr,
                           std::vector<const char*>{"1"}.data(), nullptr, nullptr, 0));
  ASSERT_EQ(PQresultStatus(text.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(text.get());
  std::vector<std::string> got;
  for (int c = 0; c < PQnfields(text.get()); ++c) got.push_back(PQgetvalue(text.get(), 0, c));
  EXPECT_EQ(got, (std::vector<std::string>{"1", "-2", "1234567890123", "t", "1.5", "2.25",
                                           "12345.67", "héllo", "abc", "\\x00ff", "2024-01-02",
                                           "2024-01-02 03:04:05.123456",
                                           "2024-01-02 03:04:05.123456+00",
                                           "1 year 2 mons -3 days +04:05:06.5"}));

  // Binary results are the bytes that went in.
  Result bin(PQexecParams(conn_, "SELECT * FROM bin WHERE k = $1", 1, nullptr,
                          std::vector<const char*>{"1"}.data(), nullptr, nullptr, 1));
  ASSERT_EQ(PQresultStatus(bin.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(bin.get());
  for (int c = 0; c < PQnfields(bin.get()); ++c) {
    EXPECT_EQ(PQfformat(bin.get(), c), 1);
    EXPECT_EQ(std::string(PQgetvalue(bin.get(), 0, c), PQgetlength(bin.get(), 0, c)), binary[c])
        << "column " << PQfname(bin.get(), c);
  }
  // Zero, negative and fractional NUMERIC in binary, as PostgreSQL sends them.
  Result num(PQexecParams(conn_,
                          "SELECT 0::numeric, -0.5::numeric(4,2), 10000::numeric, 0.0001::numeric",
                          0, nullptr, nullptr, nullptr, nullptr, 1));
  ASSERT_EQ(PQresultStatus(num.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(num.get());
  auto value = [&](int c) {
    return std::string(PQgetvalue(num.get(), 0, c), PQgetlength(num.get(), 0, c));
  };
  EXPECT_EQ(value(0), BigEndian(0, 2) + BigEndian(0, 2) + BigEndian(0, 2) + BigEndian(0, 2));
  EXPECT_EQ(value(1), BigEndian(1, 2) + BigEndian(0xffff, 2) + BigEndian(0x4000, 2) +
                          BigEndian(2, 2) + BigEndian(5000, 2));
  EXPECT_EQ(value(2), BigEndian(1, 2) + BigEndian(1, 2) + BigEndian(0, 2) + BigEndian(0, 2) +
                          BigEndian(1, 2));
  EXPECT_EQ(value(3), BigEndian(1, 2) + BigEndian(0xffff, 2) + BigEndian(0, 2) +
                          BigEndian(4, 2) + BigEndian(1, 2));
}

TEST_F(ExtendedProtocolTest, ErrorsCarryTheirSqlstate) {
  MustExec("DROP TABLE IF EXISTS e");
  MustExec("CREATE TABLE e (k INTEGER PRIMARY KEY)");
  EXPECT_EQ(Sqlstate(Prepare("", "SELEC 1").get()), "42601");
  EXPECT_EQ(Sqlstate(Prepare("", "SELECT * FROM nowhere WHERE k = $1").get()), "42P01");
  EXPECT_EQ(Sqlstate(Prepare("", "SELECT 1; SELECT 2").get()), "42601");
  Result ok = Prepare("k", "SELECT k FROM e WHERE k = $1");
  ASSERT_EQ(PQresultStatus(ok.get()), PGRES_COMMAND_OK) << PQresultErrorMessage(ok.get());
  EXPECT_EQ(Sqlstate(Prepare("k", "SELECT 1").get()), "42P05");
  const char* bad[] = {"forty-two"};
  Result r(PQexecPrepared(conn_, "k", 1, bad, nullptr, nullptr, 0));
  EXPECT_EQ(Sqlstate(r.get()), "22P02");
  r.reset(PQexecPrepared(conn_, "missing", 0, nullptr, nullptr, nullptr, 0));
  EXPECT_EQ(Sqlstate(r.get()), "26000");
  const char* dup[] = {"1"};
  Result ins(PQexecParams(conn_, "INSERT INTO e VALUES ($1)", 1, nullptr, dup, nullptr, nullptr, 0));
  ASSERT_EQ(PQresultStatus(ins.get()), PGRES_COMMAND_OK) << PQresultErrorMessage(ins.get());
  ins.reset(PQexecParams(conn_, "INSERT INTO e VALUES ($1)", 1, nullptr, dup, nullptr, nullptr, 0));
  EXPECT_EQ(Sqlstate(ins.get()), "23505");
  // The session goes on.
  EXPECT_EQ(RunText("k", {"1"}), std::vector<std::string>{"1"});
}

TEST_F(ExtendedProtocolTest, ACachedPlanFollowsTableChanges) {
  MustExec("DROP TABLE IF EXISTS c");
  MustExec("CREATE TABLE c (k INTEGER PRIMARY KEY, v TEXT)");
  MustExec("INSERT INTO c VALUES (1, 'one')");
  Result p = Prepare("q", "SELECT * FROM c WHERE k = $1");
  ASSERT_EQ(PQresultStatus(p.get()), PGRES_COMMAND_OK) << PQresultErrorMessage(p.get());
  EXPECT_EQ(RunText("q", {"1"}), std::vector<std::string>{"1|one"});
  // A new table of the same shape: planned anew, same answer shape.
  MustExec("DROP TABLE c");
  MustExec("CREATE TABLE c (k INTEGER PRIMARY KEY, v TEXT)");
  MustExec("INSERT INTO c VALUES (1, 'uno')");
  EXPECT_EQ(RunText("q", {"1"}), std::vector<std::string>{"1|uno"});
  // One whose rows look different: the statement can no longer run.
  MustExec("DROP TABLE c");
  MustExec("CREATE TABLE c (k INTEGER PRIMARY KEY, v INTEGER, w TEXT)");
  const char* one[] = {"1"};
  Result r(PQexecPrepared(conn_, "q", 1, one, nullptr, nullptr, 0));
  EXPECT_EQ(Sqlstate(r.get()), "0A000");
  EXPECT_STREQ(PQresultErrorField(r.get(), PG_DIAG_MESSAGE_PRIMARY),
               "cached plan must not change result type");
}

TEST_F(ExtendedProtocolTest, PreparedStatementsInsideATransactionBlock) {
  MustExec("DROP TABLE IF EXISTS acct");
  MustExec("CREATE TABLE acct (id INTEGER PRIMARY KEY, balance BIGINT)");
  MustExec("INSERT INTO acct VALUES (1, 100), (2, 0)");
  Result p = Prepare("move", "UPDATE acct SET balance = balance + $2 WHERE id = $1");
  ASSERT_EQ(PQresultStatus(p.get()), PGRES_COMMAND_OK) << PQresultErrorMessage(p.get());
  MustExec("BEGIN");
  RunText("move", {"1", "-30"});
  RunText("move", {"2", "30"});
  MustExec("ROLLBACK");
  MustExec("BEGIN");
  RunText("move", {"1", "-40"});
  RunText("move", {"2", "40"});
  MustExec("COMMIT");
  Result q = Prepare("all", "SELECT id, balance FROM acct ORDER BY id");
  ASSERT_EQ(PQresultStatus(q.get()), PGRES_COMMAND_OK) << PQresultErrorMessage(q.get());
  EXPECT_EQ(RunText("all", {}), (std::vector<std::string>{"1|60", "2|40"}));
}

// A deferred foreign key is checked when the statement's implicit
// transaction commits, at Sync: the violation is that message's error, and
// nothing of the statement stays.
TEST_F(ExtendedProtocolTest, DeferredForeignKeysAreCheckedAtSync) {
  MustExec("DROP TABLE IF EXISTS dc");
  MustExec("DROP TABLE IF EXISTS dp");
  MustExec("CREATE TABLE dp (id INTEGER PRIMARY KEY)");
  MustExec(
      "CREATE TABLE dc (id INTEGER PRIMARY KEY, p INTEGER REFERENCES dp "
      "DEFERRABLE INITIALLY DEFERRED)");
  const char* orphan[] = {"1", "99"};
  Result r(PQexecParams(conn_, "INSERT INTO dc VALUES ($1, $2)", 2, nullptr, orphan, nullptr,
                        nullptr, 0));
  EXPECT_EQ(Sqlstate(r.get()), "23503") << PQresultErrorMessage(r.get());
  Result count = Prepare("count", "SELECT count(*) FROM dc");
  ASSERT_EQ(PQresultStatus(count.get()), PGRES_COMMAND_OK) << PQresultErrorMessage(count.get());
  EXPECT_EQ(RunText("count", {}), std::vector<std::string>{"0"});
  // Inside a block, the parent may come later.
  MustExec("BEGIN");
  r.reset(PQexecParams(conn_, "INSERT INTO dc VALUES ($1, $2)", 2, nullptr, orphan, nullptr,
                       nullptr, 0));
  ASSERT_EQ(PQresultStatus(r.get()), PGRES_COMMAND_OK) << PQresultErrorMessage(r.get());
  MustExec("INSERT INTO dp VALUES (99)");
  MustExec("COMMIT");
  EXPECT_EQ(RunText("count", {}), std::vector<std::string>{"1"});
}

// libpq's pipeline mode: the statements sent before a Sync form one
// implicit transaction, so an error in one undoes the others.
TEST_F(ExtendedProtocolTest, APipelineIsOneImplicitTransaction) {
  MustExec("DROP TABLE IF EXISTS pipe");
  MustExec("CREATE TABLE pipe (k INTEGER PRIMARY KEY)");
  auto send_inserts = [&](const std::vector<std::string>& keys) {
    for (const std::string& k : keys) {
      const char* values[] = {k.c_str()};
      ASSERT_EQ(PQsendQueryParams(conn_, "INSERT INTO pipe VALUES ($1)", 1, nullptr, values,
                                  nullptr, nullptr, 0),
                1);
    }
    ASSERT_EQ(PQpipelineSync(conn_), 1);
  };
  // Collects the outcome of each statement up to the Sync.
  auto outcomes = [&]() {
    std::vector<std::string> out;
    for (;;) {
      PGresult* r = PQgetResult(conn_);
      if (r == nullptr) continue;  // the end of one statement's results
      const ExecStatusType status = PQresultStatus(r);
      if (status == PGRES_PIPELINE_SYNC) {
        PQclear(r);
        return out;
      }
      out.push_back(status == PGRES_COMMAND_OK      ? "ok"
                    : status == PGRES_PIPELINE_ABORTED ? "skipped"
                                                       : Sqlstate(r));
      PQclear(r);
    }
  };
  ASSERT_EQ(PQenterPipelineMode(conn_), 1);
  send_inserts({"1", "2"});
  EXPECT_EQ(outcomes(), (std::vector<std::string>{"ok", "ok"}));
  send_inserts({"3", "1", "4"});
  EXPECT_EQ(outcomes(), (std::vector<std::string>{"ok", "23505", "skipped"}));
  ASSERT_EQ(PQexitPipelineMode(conn_), 1);
  Result rows(PQexec(conn_, "SELECT k FROM pipe ORDER BY k"));
  ASSERT_EQ(PQresultStatus(rows.get()), PGRES_TUPLES_OK) << PQresultErrorMessage(rows.get());
  std::vector<std::string> keys;
  for (int i = 0; i < PQntuples(rows.get()); ++i) keys.push_back(PQgetvalue(rows.get(), i, 0));
  EXPECT_EQ(keys, (std::vector<std::string>{"1", "2"}))
      << "the failed pipeline's first insert survived";
}

TEST_F(NodeTest, PqxxPreparedStatements) {
  pqxx::connection conn(node_.Dsn());
  PqxxExec(conn, "CREATE TABLE kv (k BIGINT PRIMARY KEY, v TEXT)");
  conn.prepare("put", "INSERT INTO kv VALUES ($1, $2)");
  conn.prepare("get", "SELECT v FROM kv WHERE k = $1");
  {
    pqxx::work tx(conn);
    for (int i = 0; i < 50; ++i) tx.exec_prepared("put", i, absl::StrCat("v", i));
    tx.commit();
  }
  pqxx::work tx(conn);
  pqxx::result r = tx.exec_prepared("get", 42);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0][0].as<std::string>(), "v42");
  EXPECT_TRUE(tx.exec_prepared("get", 99).empty());
}

// pgbench's extended (unnamed statements) and prepared (named) modes. Two
// clients update the same rows: a conflict fails one transaction with 40001,
// which pgbench retries (--max-tries), as a client of CairnDB should.
TEST_F(NodeTest, PgbenchExtendedAndPreparedProtocols) {
  {
    PgConn conn(node_.Dsn());
    ASSERT_TRUE(conn.Exec("CREATE TABLE pb (k INTEGER PRIMARY KEY, v BIGINT)").ok);
    ASSERT_TRUE(conn.Exec("INSERT INTO pb SELECT g, 0 FROM generate_series(1, 100) g").ok);
  }
  const std::string script = absl::StrCat(::testing::TempDir(), "/extended_pgbench_",
                                          node_.sql_port(), ".sql");
  {
    std::ofstream out(script);
    out << "\\set k random(1, 100)\n"
           "BEGIN;\n"
           "UPDATE pb SET v = v + 1 WHERE k = :k;\n"
           "SELECT v FROM pb WHERE k = :k;\n"
           "END;\n";
  }
  for (const char* mode : {"extended", "prepared"}) {
    std::string output;
    const int exit_code =
        RunCommand(absl::StrCat("pgbench -n -M ", mode, " -c 2 -j 2 -t 50 --max-tries=50 -f ",
                                script, " '", node_.Dsn(), "' 2>&1"),
                   &output);
    EXPECT_EQ(exit_code, 0) << mode << ": " << output;
    EXPECT_NE(output.find("number of transactions actually processed: 100/100"),
              std::string::npos)
        << mode << ": " << output;
  }
  std::remove(script.c_str());
  PgConn conn(node_.Dsn());
  QueryResult total = conn.Exec("SELECT sum(v) FROM pb");
  ASSERT_TRUE(total.ok) << total.message;
  EXPECT_EQ(Rows(total), std::vector<std::string>{"200"});
}

}  // namespace
}  // namespace cairn::e2e
