// The simple query protocol, over raw sockets: exact messages for results,
// errors, empty queries, transaction status and parameter changes.
// (extended_query_test.cc has the extended protocol.)
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "server_fixture.h"
#include "wire_client.h"

namespace cairn::pgwire::test {
namespace {

constexpr absl::Duration kTimeout = absl::Seconds(10);

class QueryTest : public PgServerTest {
 protected:
  void SetUp() override {
    PgServerTest::SetUp();
    client_ = std::make_unique<WireClient>(port_);
    ASSERT_TRUE(client_->Login());
  }
  std::unique_ptr<WireClient> client_;
};

TEST_F(QueryTest, SelectReturnsRowDescriptionRowsAndTag) {
  std::vector<BackendMessage> m = client_->Query("SELECT 1");
  ASSERT_EQ(Types(m), "TDCZ");
  std::vector<FieldDescription> fields = RowDescriptionOf(m[0]);
  ASSERT_EQ(fields.size(), 1u);
  EXPECT_EQ(fields[0].name, "?column?");
  EXPECT_EQ(fields[0].table_oid, 0);
  EXPECT_EQ(fields[0].attnum, 0);
  EXPECT_EQ(fields[0].type_oid, 23);  // int4
  EXPECT_EQ(fields[0].typlen, 4);
  EXPECT_EQ(fields[0].typmod, -1);
  EXPECT_EQ(fields[0].format, 0);
  EXPECT_EQ(DataRowOf(m[1]), (std::vector<std::optional<std::string>>{"1"}));
  EXPECT_EQ(CStringOf(m[2]), "SELECT 1");
  EXPECT_EQ(m[3].body, "I");
}

TEST_F(QueryTest, NullsAndTextFormat) {
  std::vector<BackendMessage> m = client_->Query("SELECT nulls");
  ASSERT_EQ(Types(m), "TDDCZ");
  std::vector<FieldDescription> fields = RowDescriptionOf(m[0]);
  ASSERT_EQ(fields.size(), 3u);
  EXPECT_EQ(fields[1].type_oid, 25);  // text
  EXPECT_EQ(fields[1].typlen, -1);
  EXPECT_EQ(fields[2].type_oid, 16);  // bool
  using Row = std::vector<std::optional<std::string>>;
  EXPECT_EQ(DataRowOf(m[1]), (Row{std::nullopt, "x", "t"}));
  EXPECT_EQ(DataRowOf(m[2]), (Row{"2", std::nullopt, "f"}));
  EXPECT_EQ(CStringOf(m[3]), "SELECT 2");
}

TEST_F(QueryTest, MultiStatementQueryReportsEachStatement) {
  std::vector<BackendMessage> m = client_->Query("SELECT 1; INSERT; SELECT rows 2");
  ASSERT_EQ(Types(m), "TDCCTDDCZ");
  EXPECT_EQ(CStringOf(m[2]), "SELECT 1");
  EXPECT_EQ(CStringOf(m[3]), "INSERT 0 1");
  EXPECT_EQ(DataRowOf(m[6]), (std::vector<std::optional<std::string>>{"2", "row 2"}));
  EXPECT_EQ(CStringOf(m[7]), "SELECT 2");
}

TEST_F(QueryTest, ErrorCarriesSqlStateAndPositionAfterEarlierResults) {
  std::vector<BackendMessage> m = client_->Query("SELECT 1; SELECT bad; INSERT");
  ASSERT_EQ(Types(m), "TDCEZ");
  auto fields = ErrorFields(m[3]);
  EXPECT_EQ(fields['S'], "ERROR");
  EXPECT_EQ(fields['V'], "ERROR");
  EXPECT_EQ(fields['C'], "42601");
  EXPECT_EQ(fields['M'], "syntax error at or near \"bad\"");
  EXPECT_EQ(fields['P'], "18");
  EXPECT_EQ(m[4].body, "I");
  // No position when the error has none.
  m = client_->Query("FAIL");
  ASSERT_EQ(Types(m), "EZ");
  EXPECT_EQ(ErrorFields(m[0]).count('P'), 0u);
  EXPECT_EQ(ErrorFields(m[0])['C'], "22012");
}

TEST_F(QueryTest, EmptyQueries) {
  EXPECT_EQ(Types(client_->Query("")), "IZ");
  EXPECT_EQ(Types(client_->Query("  ;\n ; ")), "IZ");
}

TEST_F(QueryTest, ReadyForQueryReportsTransactionStatus) {
  std::vector<BackendMessage> m = client_->Query("BEGIN");
  ASSERT_EQ(Types(m), "CZ");
  EXPECT_EQ(m[1].body, "T");
  m = client_->Query("INSERT");
  EXPECT_EQ(m.back().body, "T");
  m = client_->Query("FAIL");
  ASSERT_EQ(Types(m), "EZ");
  EXPECT_EQ(m[1].body, "E");
  m = client_->Query("SELECT 1");
  ASSERT_EQ(Types(m), "EZ");
  EXPECT_EQ(ErrorFields(m[0])['C'], "25P02");
  EXPECT_EQ(m[1].body, "E");
  m = client_->Query("ROLLBACK");
  ASSERT_EQ(Types(m), "CZ");
  EXPECT_EQ(CStringOf(m[0]), "ROLLBACK");
  EXPECT_EQ(m[1].body, "I");
}

TEST_F(QueryTest, ChangedParametersAreReportedBeforeReadyForQuery) {
  std::vector<BackendMessage> m =
      client_->Query("SET TimeZone = Europe/Paris; SET DateStyle = ISO, DMY; SET TimeZone = UTC");
  ASSERT_EQ(Types(m), "CCCSSZ");
  EXPECT_EQ(ParameterStatusOf(m[3]), (std::pair<std::string, std::string>{"TimeZone", "UTC"}));
  EXPECT_EQ(ParameterStatusOf(m[4]),
            (std::pair<std::string, std::string>{"DateStyle", "ISO, DMY"}));
  // Changes made before an error are still reported.
  m = client_->Query("SET a = b; FAIL");
  ASSERT_EQ(Types(m), "CESZ");
}

TEST_F(QueryTest, LargeResultIsStreamed) {
  std::vector<BackendMessage> m = client_->Query("SELECT rows 50000");
  ASSERT_EQ(m.size(), 50003u);
  EXPECT_EQ(m.front().type, 'T');
  EXPECT_EQ(DataRowOf(m[50000]), (std::vector<std::optional<std::string>>{"50000", "row 50000"}));
  EXPECT_EQ(CStringOf(m[50001]), "SELECT 50000");
  EXPECT_EQ(m.back().type, 'Z');
}

TEST_F(QueryTest, PipelinedQueriesAreAnsweredInOrder) {
  ASSERT_TRUE(client_->Send(QueryMessage("INSERT") + QueryMessage("SELECT 1") + QueryMessage("")));
  EXPECT_EQ(Types(client_->ReadUntilReady()), "CZ");
  EXPECT_EQ(Types(client_->ReadUntilReady()), "TDCZ");
  EXPECT_EQ(Types(client_->ReadUntilReady()), "IZ");
}

TEST_F(QueryTest, LoneSyncAnswersReadyAndFlushAndCopyMessagesAreIgnored) {
  ASSERT_TRUE(client_->Send(FrontendMessage('H', "") + FrontendMessage('d', "x") +
                            FrontendMessage('S', "")));
  EXPECT_EQ(Types(client_->ReadUntilReady()), "Z");
}

TEST_F(QueryTest, FunctionCallIsRefused) {
  ASSERT_TRUE(client_->Send(FrontendMessage('F', std::string(10, '\0'))));
  std::vector<BackendMessage> m = client_->ReadUntilReady();
  ASSERT_EQ(Types(m), "EZ");
  EXPECT_EQ(ErrorFields(m[0])['C'], "0A000");
}

// A FATAL 08P01 ends the connection; the session is closed.
void ExpectProtocolViolation(WireClient& client, FakeSessionFactory& factory) {
  std::vector<BackendMessage> m = client.ReadUntilEof();
  ASSERT_EQ(Types(m), "E");
  auto fields = ErrorFields(m[0]);
  EXPECT_EQ(fields['S'], "FATAL");
  EXPECT_EQ(fields['C'], "08P01");
  EXPECT_TRUE(client.ReadsEof());
  EXPECT_TRUE(factory.AwaitClosed(1, kTimeout));
}

TEST_F(QueryTest, OversizedMessageIsProtocolViolation) {
  ASSERT_TRUE(client_->Send(std::string("Q") + Int32Bytes((1u << 30) + 1)));
  ExpectProtocolViolation(*client_, factory_);
}

TEST_F(QueryTest, TooShortLengthIsProtocolViolation) {
  ASSERT_TRUE(client_->Send(std::string("Q") + Int32Bytes(3)));
  ExpectProtocolViolation(*client_, factory_);
}

TEST_F(QueryTest, UnknownMessageTypeIsProtocolViolation) {
  ASSERT_TRUE(client_->Send(FrontendMessage('z', "")));
  ExpectProtocolViolation(*client_, factory_);
}

TEST_F(QueryTest, UnterminatedQueryIsProtocolViolation) {
  ASSERT_TRUE(client_->Send(FrontendMessage('Q', "SELECT 1")));
  ExpectProtocolViolation(*client_, factory_);
}

TEST_F(QueryTest, QueryWithEmbeddedNulIsProtocolViolation) {
  ASSERT_TRUE(client_->Send(FrontendMessage('Q', std::string("SELECT 1\0x\0", 11))));
  ExpectProtocolViolation(*client_, factory_);
}

TEST_F(QueryTest, AdminShutdownErrorIsFatal) {
  ASSERT_TRUE(client_->Send(QueryMessage("SHUTDOWN")));
  std::vector<BackendMessage> m = client_->ReadUntilEof();
  ASSERT_EQ(Types(m), "E");
  EXPECT_EQ(ErrorFields(m[0])['S'], "FATAL");
  EXPECT_EQ(ErrorFields(m[0])['C'], "57P01");
  EXPECT_TRUE(client_->ReadsEof());
}

TEST_F(QueryTest, LongQueryDoesNotBlockOtherConnections) {
  WireClient waiter(port_);
  ASSERT_TRUE(waiter.Login());
  ASSERT_TRUE(waiter.Send(QueryMessage("WAIT")));
  ASSERT_TRUE(factory_.WaitEntered(kTimeout));
  // The WAIT is still running: another connection is served meanwhile.
  EXPECT_EQ(Types(client_->Query("SELECT 1")), "TDCZ");
  WireClient newcomer(port_);
  EXPECT_TRUE(newcomer.Login());
  factory_.ReleaseWaiters();
  EXPECT_EQ(Types(waiter.ReadUntilReady()), "CZ");
}

}  // namespace
}  // namespace cairn::pgwire::test
