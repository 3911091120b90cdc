// The startup dialogue and connection lifecycle, over raw sockets.
#include <map>
#include <random>
#include <string>
#include <vector>

#include "common/metrics.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pgwire/protocol.h"
#include "server_fixture.h"
#include "wire_client.h"

namespace cairn::pgwire::test {
namespace {

constexpr absl::Duration kTimeout = absl::Seconds(10);

std::map<std::string, std::string> ParameterStatuses(const std::vector<BackendMessage>& messages) {
  std::map<std::string, std::string> params;
  for (const BackendMessage& m : messages) {
    if (m.type == 'S') params.insert(ParameterStatusOf(m));
  }
  return params;
}

// The connection got one FATAL with `sqlstate` and was closed.
void ExpectFatalAndClose(WireClient& client, const std::string& sqlstate) {
  std::vector<BackendMessage> messages = client.ReadUntilEof();
  ASSERT_FALSE(messages.empty());
  const BackendMessage& last = messages.back();
  ASSERT_EQ(last.type, 'E');
  auto fields = ErrorFields(last);
  EXPECT_EQ(fields['S'], "FATAL");
  EXPECT_EQ(fields['V'], "FATAL");
  EXPECT_EQ(fields['C'], sqlstate) << fields['M'];
  EXPECT_TRUE(client.ReadsEof());
}

using StartupTest = PgServerTest;

TEST_F(StartupTest, SslRequestIsRefusedThenStartupProceeds) {
  WireClient client(port_);
  ASSERT_TRUE(client.connected());
  ASSERT_TRUE(client.Send(RequestPacket(kSslRequestCode)));
  EXPECT_EQ(client.ReadByte(), 'N');
  ASSERT_TRUE(client.Send(StartupPacket({{"user", "alice"}, {"application_name", "wiretest"}})));
  std::vector<BackendMessage> messages = client.ReadUntilReady();
  ASSERT_FALSE(messages.empty());
  EXPECT_EQ(messages.front().type, 'R');
  EXPECT_EQ(messages.front().body, Int32Bytes(0));  // AuthenticationOk
  EXPECT_EQ(Types(messages).substr(Types(messages).size() - 2), "KZ");
  EXPECT_EQ(messages.back().body, "I");
  EXPECT_EQ(messages[messages.size() - 2].body.size(), 8u);  // pid, secret

  std::map<std::string, std::string> params = ParameterStatuses(messages);
  EXPECT_EQ(params["server_version"], "15.0");
  EXPECT_EQ(params["server_encoding"], "UTF8");
  EXPECT_EQ(params["client_encoding"], "UTF8");
  EXPECT_EQ(params["DateStyle"], "ISO, MDY");
  EXPECT_EQ(params["integer_datetimes"], "on");
  EXPECT_EQ(params["standard_conforming_strings"], "on");
  EXPECT_EQ(params["TimeZone"], "UTC");
  EXPECT_EQ(params["application_name"], "wiretest");
  EXPECT_EQ(params["is_superuser"], "on");
  EXPECT_EQ(params["session_authorization"], "alice");

  EXPECT_EQ(factory_.last_user(), "alice");
  EXPECT_EQ(factory_.last_database(), "alice");  // defaults to the user
}

TEST_F(StartupTest, GssEncThenSslRequestsAreRefused) {
  WireClient client(port_);
  ASSERT_TRUE(client.Send(RequestPacket(kGssEncRequestCode)));
  EXPECT_EQ(client.ReadByte(), 'N');
  ASSERT_TRUE(client.Send(RequestPacket(kSslRequestCode)));
  EXPECT_EQ(client.ReadByte(), 'N');
  EXPECT_TRUE(client.Login());
}

TEST_F(StartupTest, SecondSslRequestIsFatal) {
  WireClient client(port_);
  ASSERT_TRUE(client.Send(RequestPacket(kSslRequestCode)));
  EXPECT_EQ(client.ReadByte(), 'N');
  ASSERT_TRUE(client.Send(RequestPacket(kSslRequestCode)));
  ExpectFatalAndClose(client, "0A000");
}

TEST_F(StartupTest, CancelRequestClosesTheConnection) {
  WireClient client(port_);
  ASSERT_TRUE(client.Send(Int32Bytes(16) + Int32Bytes(kCancelRequestCode) + Int32Bytes(1) +
                          Int32Bytes(2)));
  EXPECT_TRUE(client.ReadsEof());
}

TEST_F(StartupTest, UnsupportedProtocolVersionIsFatal) {
  WireClient client(port_);
  ASSERT_TRUE(client.Send(StartupPacket({{"user", "root"}}, 2u << 16)));
  ExpectFatalAndClose(client, "0A000");
}

TEST_F(StartupTest, NewerMinorVersionIsNegotiatedDown) {
  WireClient client(port_);
  ASSERT_TRUE(client.Send(StartupPacket({{"user", "root"}, {"_pq_.feature", "x"}},
                                        kProtocolVersion3 | 1)));
  std::vector<BackendMessage> messages = client.ReadUntilReady();
  ASSERT_FALSE(messages.empty());
  ASSERT_EQ(messages.front().type, 'v');
  EXPECT_EQ(messages.front().body,
            Int32Bytes(0) + Int32Bytes(1) + std::string("_pq_.feature\0", 13));
  EXPECT_EQ(messages.back().type, 'Z');
}

TEST_F(StartupTest, BadStartupBytesGetAnErrorNotACrash) {
  const std::vector<std::string> inputs = {
      Int32Bytes(0x7fffffff) + "xxxx",              // length far too large
      Int32Bytes(4) + "abcd",                       // length too small
      Int32Bytes(9) + Int32Bytes(kProtocolVersion3) + "u",  // no terminator
      Int32Bytes(12) + Int32Bytes(kProtocolVersion3) + std::string("ab\0\0", 4),  // no value
  };
  for (const std::string& input : inputs) {
    WireClient client(port_);
    ASSERT_TRUE(client.Send(input));
    ExpectFatalAndClose(client, "08P01");
  }
  WireClient client(port_);
  EXPECT_TRUE(client.Login());
}

TEST_F(StartupTest, MissingUserIsFatal28000) {
  WireClient client(port_);
  ASSERT_TRUE(client.Send(StartupPacket({{"database", "defaultdb"}})));
  ExpectFatalAndClose(client, "28000");
}

TEST_F(StartupTest, OptionsSettingsAreAppliedToTheSession) {
  WireClient client(port_);
  ASSERT_TRUE(client.Send(StartupPacket(
      {{"user", "root"}, {"options", "-c statement_timeout=5s --enable-pushdown=off"}})));
  std::vector<BackendMessage> messages = client.ReadUntilReady();
  ASSERT_FALSE(messages.empty());
  EXPECT_EQ(messages.back().type, 'Z');
  EXPECT_THAT(factory_.statements(), ::testing::IsSupersetOf({"startup statement_timeout=5s",
                                                              "startup enable_pushdown=off"}));
}

TEST_F(StartupTest, BadOrUnknownOptionsAreFatal) {
  {
    WireClient client(port_);
    ASSERT_TRUE(client.Send(StartupPacket({{"user", "root"}, {"options", "-d 5"}})));
    ExpectFatalAndClose(client, "42601");
  }
  WireClient client(port_);
  ASSERT_TRUE(client.Send(StartupPacket({{"user", "root"}, {"options", "-c no_such_setting=1"}})));
  ExpectFatalAndClose(client, "42704");
}

TEST_F(StartupTest, UnknownDatabaseIsFatal3D000) {
  WireClient client(port_);
  ASSERT_TRUE(client.Send(StartupPacket({{"user", "root"}, {"database", "nope"}})));
  std::vector<BackendMessage> messages = client.ReadUntilEof();
  EXPECT_EQ(Types(messages), "RE");
  ASSERT_EQ(messages.size(), 2u);
  auto fields = ErrorFields(messages[1]);
  EXPECT_EQ(fields['S'], "FATAL");
  EXPECT_EQ(fields['C'], "3D000");
  EXPECT_EQ(fields['M'], "database \"nope\" does not exist");
  EXPECT_TRUE(client.ReadsEof());
}

TEST_F(StartupTest, ClientLeavingBeforeStartupIsHarmless) {
  {
    WireClient client(port_);
    ASSERT_TRUE(client.connected());
    client.ShutdownWrite();
    EXPECT_TRUE(client.ReadsEof());
  }
  WireClient client(port_);
  EXPECT_TRUE(client.Login());
}

TEST_F(StartupTest, TerminateAndEofCloseTheSession) {
  {
    WireClient client(port_);
    ASSERT_TRUE(client.Login());
    ASSERT_TRUE(client.Send(FrontendMessage('X', "")));
    EXPECT_TRUE(client.ReadsEof());
  }
  EXPECT_TRUE(factory_.AwaitClosed(1, kTimeout));
  {
    WireClient client(port_);
    ASSERT_TRUE(client.Login());
  }  // closes without Terminate
  EXPECT_TRUE(factory_.AwaitClosed(2, kTimeout));
  EXPECT_EQ(factory_.sessions_created(), 2);
}

TEST_F(StartupTest, StopClosesOpenConnections) {
  WireClient idle(port_);
  ASSERT_TRUE(idle.Login());
  WireClient silent(port_);  // connected, never sends a byte
  ASSERT_TRUE(silent.connected());
  WireClient ready(port_);
  ASSERT_TRUE(ready.Login());
  server_->Stop();
  // A logged-in idle session is told why it ends (FATAL 57P01, as
  // PostgreSQL's fast shutdown does); one still starting up just closes.
  std::vector<BackendMessage> last = idle.ReadUntilEof();
  ASSERT_EQ(last.size(), 1u);
  EXPECT_EQ(last[0].type, 'E');
  EXPECT_EQ(ErrorFields(last[0])['S'], "FATAL");
  EXPECT_EQ(ErrorFields(last[0])['C'], "57P01");
  EXPECT_TRUE(silent.ReadsEof());
  EXPECT_EQ(factory_.sessions_closed(), 2);
  server_->Stop();  // idempotent
  WireClient late(port_);
  EXPECT_FALSE(late.connected());
}

TEST_F(StartupTest, StartTwiceFails) {
  EXPECT_FALSE(server_->Start("127.0.0.1", 0).ok());
}

TEST_F(StartupTest, UnusableAddressesFail) {
  PgServer other(&factory_);
  EXPECT_FALSE(other.Start("127.0.0.1", port_).ok());   // in use
  EXPECT_FALSE(other.Start("203.0.113.1", 0).ok());     // not an address of this host
  EXPECT_TRUE(other.Start("127.0.0.1", 0).ok());        // failures leave it startable
  EXPECT_NE(other.port(), port_);
}

class MaxConnectionsTest : public PgServerTest {
 protected:
  PgServerOptions Options() override {
    PgServerOptions options;
    options.max_connections = 1;
    return options;
  }
};

TEST_F(MaxConnectionsTest, ConnectionsBeyondTheLimitAreRefused) {
  WireClient first(port_);
  ASSERT_TRUE(first.Login());
  WireClient second(port_);
  ASSERT_TRUE(second.Send(StartupPacket({{"user", "root"}})));
  ExpectFatalAndClose(second, "53300");
  auto q = first.Query("SELECT 1");
  EXPECT_EQ(Types(q), "TDCZ");
}

TEST_F(StartupTest, MetricsCountConnectionsAndQueries) {
  MetricRegistry& registry = MetricRegistry::Global();
  Counter* connections = registry.GetCounter("cairn_sql_connections_total", "");
  Gauge* open = registry.GetGauge("cairn_sql_connections_open", "");
  Counter* queries = registry.GetCounter("cairn_sql_queries_total", "");
  const int64_t connections_before = connections->value();
  const int64_t queries_before = queries->value();
  WireClient client(port_);
  ASSERT_TRUE(client.Login());
  EXPECT_EQ(connections->value(), connections_before + 1);
  EXPECT_GE(open->value(), 1);
  client.Query("SELECT 1");
  client.Query("SELECT 1; SELECT 1");
  EXPECT_EQ(queries->value(), queries_before + 2);
  EXPECT_NE(registry.RenderPrometheus().find("cairn_sql_connections_open"), std::string::npos);
}

// Random bytes, alone or after a valid startup: the server may refuse them
// but must keep serving. The seed is printed on failure.
TEST_F(StartupTest, RandomBytesNeverBreakTheServer) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  std::mt19937 rng(seed);
  for (int round = 0; round < 200; ++round) {
    WireClient client(port_);
    ASSERT_TRUE(client.connected());
    const bool login_first = round % 2 == 1;
    if (login_first) {
      ASSERT_TRUE(client.Login());
    }
    std::string junk(std::uniform_int_distribution<int>(0, 64)(rng), '\0');
    for (char& c : junk) c = static_cast<char>(rng());
    // Sometimes a plausible message type, so the body parsers are reached.
    if (login_first && !junk.empty() && round % 4 == 1) junk[0] = "QPBSXHFdpEC"[rng() % 11];
    client.Send(junk);
    client.ShutdownWrite();
    client.ReadUntilEof();
    EXPECT_TRUE(client.ReadsEof());
  }
  WireClient client(port_);
  ASSERT_TRUE(client.Login());
  EXPECT_EQ(Types(client.Query("SELECT 1")), "TDCZ");
}

}  // namespace
}  // namespace cairn::pgwire::test
