// Who may connect: trust for loopback clients by default, SCRAM-SHA-256 and
// md5 passwords (28P01 for a wrong one, and the same for a role that does
// not exist), roles that may not log in, TLS from `cairn cert`'s
// certificates (sslmode=require and verify-full), and client certificates
// that prove a user without a password.

#include <libpq-fe.h>
#include <sys/wait.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "cairn_process.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pg_client.h"

namespace cairn::e2e {
namespace {

using ::cairn::testing::CairnProcess;
using ::cairn::testing::StartupErrorSqlstate;
using ::testing::HasSubstr;

QueryResult Ok(PgConn& c, const std::string& sql) {
  QueryResult r = c.Exec(sql);
  EXPECT_TRUE(r.ok) << sql << ": " << r.sqlstate << " " << r.message;
  return r;
}

std::string Dsn(const CairnProcess& node, const std::string& user, const std::string& extra) {
  return "host=127.0.0.1 port=" + std::to_string(node.sql_port()) +
         " dbname=postgres connect_timeout=10 sslmode=disable user=" + user + " " + extra;
}

// Runs `cairn cert ARGS` with the node's binary; its exit code.
int CertCommand(const CairnProcess& node, const std::string& args) {
  const int status = std::system((node.binary() + " cert " + args).c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// A node whose roles are set up while it trusts loopback clients, then
// restarted to ask them for passwords.
class PasswordAuthTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(node_.Start());
    {
      PgConn root(node_.Dsn());
      ASSERT_TRUE(root.ok()) << root.error();
      Ok(root, "CREATE USER alice PASSWORD 'alice-secret'");
      Ok(root, "SET password_encryption = 'md5'");
      Ok(root, "CREATE USER bob PASSWORD 'bob-secret'");
      Ok(root, "CREATE ROLE carol PASSWORD 'carol-secret'");  // NOLOGIN
      Ok(root, "CREATE USER dave PASSWORD 'dave-secret' VALID UNTIL '2001-01-01'");
      QueryResult secrets =
          Ok(root, "SELECT rolname, CASE WHEN rolpassword LIKE 'md5%' THEN 'md5' "
                   "ELSE substr(rolpassword, 1, 14) END FROM pg_authid "
                   "WHERE rolname IN ('alice', 'bob') ORDER BY 1");
      EXPECT_EQ(Rows(secrets), (std::vector<std::string>{"alice|SCRAM-SHA-256$", "bob|md5"}))
          << "a SCRAM secret for alice, an md5 one for bob";
    }
    ASSERT_EQ(node_.Stop(), 0);
    node_.set_extra_flags({"--loopback-auth", "password"});
    ASSERT_TRUE(node_.Start());
  }

  CairnProcess node_;
};

TEST_F(PasswordAuthTest, ScramPasswordLogsIn) {
  PgConn alice(Dsn(node_, "alice", "password=alice-secret"));
  ASSERT_TRUE(alice.ok()) << alice.error();
  EXPECT_EQ(Rows(Ok(alice, "SELECT current_user")), std::vector<std::string>{"alice"});
}

TEST_F(PasswordAuthTest, Md5PasswordLogsIn) {
  PgConn bob(Dsn(node_, "bob", "password=bob-secret"));
  ASSERT_TRUE(bob.ok()) << bob.error();
  EXPECT_EQ(Rows(Ok(bob, "SELECT session_user")), std::vector<std::string>{"bob"});
}

TEST_F(PasswordAuthTest, WrongPasswordIs28P01AndRevealsNothing) {
  for (const std::string user : {"alice", "bob", "no_such_role", "root"}) {
    PgConn c(Dsn(node_, user, "password=wrong"));
    EXPECT_FALSE(c.ok()) << user;
    EXPECT_THAT(c.error(), HasSubstr("password authentication failed for user \"" + user + "\""));
    // The same SQLSTATE whether the role exists, has no password or an
    // md5 one: a client learns only that it failed.
    EXPECT_EQ(StartupErrorSqlstate(node_.sql_port(), user, "postgres"), "28P01") << user;
  }
}

TEST_F(PasswordAuthTest, ExpiredPasswordFails) {
  PgConn dave(Dsn(node_, "dave", "password=dave-secret"));
  EXPECT_FALSE(dave.ok());
  EXPECT_THAT(dave.error(), HasSubstr("password authentication failed"));
}

TEST_F(PasswordAuthTest, RoleWithoutLoginIsRefusedAfterItsPassword) {
  PgConn carol(Dsn(node_, "carol", "password=carol-secret"));
  EXPECT_FALSE(carol.ok());
  EXPECT_THAT(carol.error(), HasSubstr("role \"carol\" is not permitted to log in"));
}

TEST_F(PasswordAuthTest, ChangedPasswordTakesEffect) {
  {
    PgConn alice(Dsn(node_, "alice", "password=alice-secret"));
    ASSERT_TRUE(alice.ok()) << alice.error();
    Ok(alice, "ALTER ROLE CURRENT_USER PASSWORD 'new-secret'");
  }
  PgConn old_password(Dsn(node_, "alice", "password=alice-secret"));
  EXPECT_FALSE(old_password.ok());
  PgConn new_password(Dsn(node_, "alice", "password=new-secret"));
  EXPECT_TRUE(new_password.ok()) << new_password.error();
}

TEST(TrustAuthTest, LoopbackClientsAreTrustedButRolesMustExist) {
  CairnProcess node;
  ASSERT_TRUE(node.Start());
  PgConn root(node.Dsn());
  ASSERT_TRUE(root.ok()) << root.error();
  Ok(root, "CREATE ROLE nologin_role");
  Ok(root, "CREATE USER erin");
  EXPECT_EQ(StartupErrorSqlstate(node.sql_port(), "erin", "postgres"), "");
  EXPECT_EQ(StartupErrorSqlstate(node.sql_port(), "no_such_role", "postgres"), "28000");
  EXPECT_EQ(StartupErrorSqlstate(node.sql_port(), "nologin_role", "postgres"), "28000");
}

class TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    certs_ = node_.data_dir() + "-certs";
    ASSERT_EQ(CertCommand(node_, "create-ca --certs-dir " + certs_), 0);
    ASSERT_EQ(CertCommand(node_, "create-node --certs-dir " + certs_ + " localhost 127.0.0.1"), 0);
    ASSERT_EQ(CertCommand(node_, "create-client --certs-dir " + certs_ + " alice"), 0);
    node_.set_extra_flags({"--certs-dir", certs_});
    ASSERT_TRUE(node_.Start());
    PgConn root(node_.Dsn());
    ASSERT_TRUE(root.ok()) << root.error();
    Ok(root, "CREATE USER alice PASSWORD 'alice-secret'");
  }
  void TearDown() override { std::system(("rm -rf " + certs_).c_str()); }

  std::string Url(const std::string& host, const std::string& user, const std::string& extra) {
    return "host=" + host + " port=" + std::to_string(node_.sql_port()) +
           " dbname=postgres connect_timeout=10 user=" + user + " " + extra;
  }

  CairnProcess node_;
  std::string certs_;
};

TEST_F(TlsTest, RequireEncrypts) {
  PgConn c(Url("127.0.0.1", "root", "sslmode=require"));
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(PQsslInUse(c.raw()), 1);
  EXPECT_EQ(Rows(Ok(c, "SELECT 1 + 1")), std::vector<std::string>{"2"});
}

TEST_F(TlsTest, VerifyFullChecksTheCertificateAndTheName) {
  for (const std::string host : {"localhost", "127.0.0.1"}) {
    PgConn c(Url(host, "root", "sslmode=verify-full sslrootcert=" + certs_ + "/ca.crt"));
    ASSERT_TRUE(c.ok()) << host << ": " << c.error();
    EXPECT_EQ(PQsslInUse(c.raw()), 1);
  }
  // A CA the node's certificate was not signed by.
  const std::string other = certs_ + "/other";
  ASSERT_EQ(CertCommand(node_, "create-ca --certs-dir " + other), 0);
  PgConn c(Url("localhost", "root", "sslmode=verify-full sslrootcert=" + other + "/ca.crt"));
  EXPECT_FALSE(c.ok());
}

TEST_F(TlsTest, PlaintextStillServedWhenNotAsked) {
  PgConn c(Url("127.0.0.1", "root", "sslmode=disable"));
  ASSERT_TRUE(c.ok()) << c.error();
  EXPECT_EQ(PQsslInUse(c.raw()), 0);
}

TEST_F(TlsTest, ClientCertificateProvesItsUserOnly) {
  ASSERT_EQ(node_.Stop(), 0);
  node_.set_extra_flags({"--certs-dir", certs_, "--loopback-auth", "password"});
  ASSERT_TRUE(node_.Start());
  const std::string cert = "sslmode=verify-full sslrootcert=" + certs_ + "/ca.crt sslcert=" +
                           certs_ + "/client.alice.crt sslkey=" + certs_ + "/client.alice.key";
  PgConn alice(Url("localhost", "alice", cert));
  ASSERT_TRUE(alice.ok()) << alice.error();
  EXPECT_EQ(Rows(Ok(alice, "SELECT current_user")), std::vector<std::string>{"alice"});
  // alice's certificate is no password for root.
  PgConn root(Url("localhost", "root", cert + " password=wrong"));
  EXPECT_FALSE(root.ok());
  // Nor is a certificate needed where the password is known.
  PgConn by_password(Url("localhost", "alice", "sslmode=require password=alice-secret"));
  EXPECT_TRUE(by_password.ok()) << by_password.error();
}

}  // namespace
}  // namespace cairn::e2e
