// CancelRequest over raw sockets: the request names a connection by its
// BackendKeyData; only the right secret key cancels that connection's
// statement, and the requesting connection is closed without an answer.
// And idle_in_transaction_session_timeout ends an idle session in a block.
#include <string>

#include "gtest/gtest.h"
#include "pgwire/protocol.h"
#include "server_fixture.h"
#include "wire_client.h"

namespace cairn::pgwire::test {
namespace {

constexpr absl::Duration kTimeout = absl::Seconds(10);

struct BackendKey {
  uint32_t process_id = 0;
  uint32_t secret_key = 0;
};

uint32_t LoadInt32(const std::string& s, size_t at) {
  return (uint32_t{static_cast<unsigned char>(s[at])} << 24) |
         (uint32_t{static_cast<unsigned char>(s[at + 1])} << 16) |
         (uint32_t{static_cast<unsigned char>(s[at + 2])} << 8) |
         uint32_t{static_cast<unsigned char>(s[at + 3])};
}

// Logs in and returns the connection's BackendKeyData.
BackendKey LoginWithKey(WireClient& client) {
  EXPECT_TRUE(client.Send(StartupPacket({{"user", "root"}, {"database", "defaultdb"}})));
  BackendKey key;
  for (const BackendMessage& m : client.ReadUntilReady()) {
    if (m.type == 'K' && m.body.size() == 8) key = {LoadInt32(m.body, 0), LoadInt32(m.body, 4)};
  }
  return key;
}

// Sends a CancelRequest on a connection of its own; returns once the server
// has closed that connection, i.e. acted on the request.
void SendCancel(uint16_t port, BackendKey key) {
  WireClient canceller(port);
  ASSERT_TRUE(canceller.Send(Int32Bytes(16) + Int32Bytes(kCancelRequestCode) +
                             Int32Bytes(key.process_id) + Int32Bytes(key.secret_key)));
  EXPECT_TRUE(canceller.ReadsEof());
}

class CancelTest : public PgServerTest {};

TEST_F(CancelTest, OnlyTheRightSecretKeyCancels) {
  WireClient client(port_);
  const BackendKey key = LoginWithKey(client);
  ASSERT_NE(key.process_id, 0u);

  ASSERT_TRUE(client.Send(QueryMessage("WAIT")));
  ASSERT_TRUE(factory_.WaitEntered(kTimeout));
  SendCancel(port_, {key.process_id, key.secret_key + 1});
  SendCancel(port_, {key.process_id + 1000, key.secret_key});
  factory_.ReleaseWaiters();
  std::vector<BackendMessage> m = client.ReadUntilReady();
  ASSERT_EQ(Types(m), "CZ") << "a wrong key canceled the statement";
}

TEST_F(CancelTest, TheRightKeyCancelsTheStatementAndTheSessionGoesOn) {
  WireClient client(port_);
  const BackendKey key = LoginWithKey(client);
  ASSERT_TRUE(client.Send(QueryMessage("WAIT")));
  ASSERT_TRUE(factory_.WaitEntered(kTimeout));
  SendCancel(port_, key);
  std::vector<BackendMessage> m = client.ReadUntilReady();
  ASSERT_EQ(Types(m), "EZ");
  EXPECT_EQ(ErrorFields(m[0])['C'], "57014");
  EXPECT_EQ(Types(client.Query("SELECT 1")), "TDCZ");
}

TEST_F(CancelTest, IdleInTransactionTimeoutEndsTheSessionWithFatal25P03) {
  WireClient client(port_);
  ASSERT_TRUE(client.Login());
  EXPECT_EQ(Types(client.Query("SET idle_in_transaction_session_timeout = 50")), "CSZ");
  EXPECT_EQ(Types(client.Query("SELECT 1")), "TDCZ");  // idle outside a block: no timeout
  EXPECT_EQ(Types(client.Query("BEGIN")), "CZ");
  std::vector<BackendMessage> m = client.ReadUntilEof();
  ASSERT_EQ(Types(m), "E");
  auto fields = ErrorFields(m[0]);
  EXPECT_EQ(fields['S'], "FATAL");
  EXPECT_EQ(fields['C'], "25P03");
}

}  // namespace
}  // namespace cairn::pgwire::test
