// Framing and decoding without sockets: MessageWriter, MessageReader,
// BodyReader, ParseStartupPacket and the backend message builders.
#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "common/error_code.h"
#include "gtest/gtest.h"
#include "pgwire/backend_messages.h"
#include "pgwire/message_reader.h"
#include "pgwire/message_writer.h"
#include "pgwire/protocol.h"
#include "pgwire/startup.h"
#include "wire_client.h"

namespace cairn::pgwire {
namespace {

using test::FrontendMessage;
using test::Int32Bytes;
using test::StartupPacket;

// Feeds `input` to a MessageReader in chunks of at most `chunk` bytes.
class ScriptedInput {
 public:
  ScriptedInput(std::string input, size_t chunk) : input_(std::move(input)), chunk_(chunk) {}
  MessageReader::ReadFn Fn() {
    return [this](char* buf, size_t max) -> absl::StatusOr<size_t> {
      const size_t n = std::min({max, chunk_, input_.size() - pos_});
      std::copy_n(input_.data() + pos_, n, buf);
      pos_ += n;
      return n;
    };
  }
  size_t consumed() const { return pos_; }

 private:
  std::string input_;
  size_t chunk_;
  size_t pos_ = 0;
};

TEST(MessageWriterTest, FramesWithBigEndianLength) {
  MessageWriter w;
  w.Begin('C');
  w.PutCString("SELECT 1");
  w.End();
  EXPECT_EQ(w.data(), std::string("C\0\0\0\x0dSELECT 1\0", 14));
  w.Clear();
  w.Begin('X');
  w.PutInt16(-2);
  w.PutInt32(0x01020304);
  w.End();
  EXPECT_EQ(w.data(), std::string("X\0\0\0\x0a\xff\xfe\x01\x02\x03\x04", 11));
}

TEST(MessageWriterTest, CStringIsCutAtEmbeddedNul) {
  MessageWriter w;
  w.PutCString(std::string("ab\0cd", 5));
  EXPECT_EQ(w.data(), std::string("ab\0", 3));
}

TEST(MessageReaderTest, ReadsStartupThenMessagesOneByteAtATime) {
  const std::string startup_packet = StartupPacket({{"user", "u"}});
  const std::string input =
      startup_packet + FrontendMessage('Q', std::string("x\0", 2)) + FrontendMessage('X', "");
  ScriptedInput in(input, 1);
  MessageReader reader(in.Fn());
  auto startup = reader.ReadStartupPacket();
  ASSERT_TRUE(startup.ok());
  ASSERT_TRUE(startup->has_value());
  EXPECT_EQ(**startup, startup_packet.substr(4));
  auto q = reader.ReadMessage();
  ASSERT_TRUE(q.ok() && q->has_value());
  EXPECT_EQ((*q)->type, 'Q');
  EXPECT_EQ((*q)->body, std::string("x\0", 2));
  auto x = reader.ReadMessage();
  ASSERT_TRUE(x.ok() && x->has_value());
  EXPECT_EQ((*x)->type, 'X');
  EXPECT_EQ((*x)->body, "");
  auto eof = reader.ReadMessage();
  ASSERT_TRUE(eof.ok());
  EXPECT_FALSE(eof->has_value());
}

TEST(MessageReaderTest, EofInsideMessageIsProtocolViolation) {
  ScriptedInput in(FrontendMessage('Q', "abcdef").substr(0, 7), 64);
  MessageReader reader(in.Fn());
  auto m = reader.ReadMessage();
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(SqlState(m.status()), "08P01");
}

TEST(MessageReaderTest, OversizedLengthFailsBeforeReadingBody) {
  const std::string input =
      std::string("Q") + Int32Bytes(kMaxMessageLength + 1) + std::string(100, 'x');
  ScriptedInput in(input, 5);
  MessageReader reader(in.Fn());
  auto m = reader.ReadMessage();
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(SqlState(m.status()), "08P01");
  EXPECT_EQ(in.consumed(), 5u);
}

TEST(MessageReaderTest, RejectsBadLengths) {
  for (uint32_t len : {0u, 3u, 0xffffffffu}) {
    ScriptedInput in(std::string("Q") + Int32Bytes(len), 64);
    MessageReader reader(in.Fn());
    auto m = reader.ReadMessage();
    ASSERT_FALSE(m.ok()) << len;
    EXPECT_EQ(SqlState(m.status()), "08P01") << len;
  }
  for (uint32_t len : {0u, 7u, kMaxStartupPacketLength + 1}) {
    ScriptedInput in(Int32Bytes(len) + std::string(16, '\0'), 64);
    MessageReader reader(in.Fn());
    auto m = reader.ReadStartupPacket();
    ASSERT_FALSE(m.ok()) << len;
    EXPECT_EQ(SqlState(m.status()), "08P01") << len;
  }
}

TEST(MessageReaderTest, ReadErrorsPassThrough) {
  MessageReader reader([](char*, size_t) -> absl::StatusOr<size_t> {
    return absl::UnavailableError("reset");
  });
  auto m = reader.ReadMessage();
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().code(), absl::StatusCode::kUnavailable);
}

// The model: messages encoded back to back must come out unchanged, however
// the stream is chunked.
TEST(MessageReaderTest, RandomMessagesAndChunkingMatchModel) {
  const uint32_t seed = std::random_device{}();
  SCOPED_TRACE(::testing::Message() << "seed " << seed);
  std::mt19937 rng(seed);
  for (int round = 0; round < 50; ++round) {
    std::vector<std::pair<char, std::string>> messages;
    std::string input;
    const int count = std::uniform_int_distribution<int>(1, 30)(rng);
    for (int i = 0; i < count; ++i) {
      const char type = static_cast<char>(std::uniform_int_distribution<int>('A', 'z')(rng));
      const int max_len = std::bernoulli_distribution(0.5)(rng) ? 40 : 40000;
      const int len = std::uniform_int_distribution<int>(0, max_len)(rng);
      std::string body(len, '\0');
      for (char& c : body) c = static_cast<char>(rng());
      input += FrontendMessage(type, body);
      messages.emplace_back(type, std::move(body));
    }
    ScriptedInput in(input, std::uniform_int_distribution<size_t>(1, 20000)(rng));
    MessageReader reader(in.Fn());
    for (const auto& [type, body] : messages) {
      auto m = reader.ReadMessage();
      ASSERT_TRUE(m.ok() && m->has_value());
      EXPECT_EQ((*m)->type, type);
      EXPECT_EQ((*m)->body, body);
    }
    auto end = reader.ReadMessage();
    ASSERT_TRUE(end.ok());
    EXPECT_FALSE(end->has_value());
  }
}

TEST(BodyReaderTest, DecodesAndChecksBounds) {
  const std::string body = Int32Bytes(0xfffffffe) + std::string("\x01\x02" "ab\0z", 6);
  BodyReader r(body);
  EXPECT_EQ(*r.ReadInt32(), -2);
  EXPECT_EQ(*r.ReadInt16(), 0x0102);
  EXPECT_EQ(*r.ReadCString(), "ab");
  EXPECT_EQ(*r.ReadByte(), 'z');
  EXPECT_TRUE(r.AtEnd());
  EXPECT_EQ(SqlState(r.ReadInt32().status()), "08P01");
  EXPECT_EQ(SqlState(r.ReadInt16().status()), "08P01");
  EXPECT_EQ(SqlState(r.ReadByte().status()), "08P01");
  BodyReader unterminated("abc");
  EXPECT_EQ(SqlState(unterminated.ReadCString().status()), "08P01");
}

// Startup packets without their length word.
std::string Body(const std::string& packet) { return packet.substr(4); }

TEST(StartupPacketTest, ParsesParameters) {
  auto r = ParseStartupPacket(Body(StartupPacket(
      {{"user", "root"}, {"application_name", "psql"}, {"options", "-c a=b"}, {"_pq_.x", "1"}},
      kProtocolVersion3 | 2)));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->kind, StartupKind::kStartup);
  EXPECT_EQ(r->protocol_version, kProtocolVersion3 | 2);
  EXPECT_EQ(r->user, "root");
  EXPECT_EQ(r->database, "root");  // defaults to the user
  EXPECT_EQ(r->options, "-c a=b");
  ASSERT_EQ(r->parameters.size(), 1u);
  EXPECT_EQ(r->parameters[0].first, "application_name");
  EXPECT_EQ(r->parameters[0].second, "psql");
  EXPECT_EQ(r->unrecognized_protocol_options, std::vector<std::string>{"_pq_.x"});
}

TEST(StartupPacketTest, RequestCodes) {
  EXPECT_EQ(ParseStartupPacket(Int32Bytes(kSslRequestCode))->kind, StartupKind::kSslRequest);
  EXPECT_EQ(ParseStartupPacket(Int32Bytes(kGssEncRequestCode))->kind, StartupKind::kGssEncRequest);
  auto cancel = ParseStartupPacket(Int32Bytes(kCancelRequestCode) + Int32Bytes(7) + Int32Bytes(9));
  ASSERT_TRUE(cancel.ok());
  EXPECT_EQ(cancel->kind, StartupKind::kCancelRequest);
  EXPECT_EQ(cancel->cancel_process_id, 7);
  EXPECT_EQ(cancel->cancel_secret_key, 9);
  EXPECT_EQ(SqlState(ParseStartupPacket(Int32Bytes(kCancelRequestCode)).status()), "08P01");
}

TEST(StartupPacketTest, RejectsOtherProtocolsAndBadLayout) {
  auto v2 = ParseStartupPacket(Body(StartupPacket({{"user", "u"}}, 2u << 16)));
  EXPECT_EQ(SqlState(v2.status()), "0A000");
  EXPECT_EQ(v2.status().message(), "unsupported frontend protocol 2.0: server supports 3.0 to 3.0");
  // No final terminator; a name without a value; bytes after the terminator.
  for (const std::string& body :
       {Int32Bytes(kProtocolVersion3) + std::string("user\0u\0", 7),
        Int32Bytes(kProtocolVersion3) + std::string("user\0", 5),
        Int32Bytes(kProtocolVersion3) + std::string("user\0u\0\0x", 9), std::string("ab")}) {
    EXPECT_EQ(SqlState(ParseStartupPacket(body).status()), "08P01");
  }
}

TEST(BackendMessagesTest, DataRowWritesNullAsMinusOne) {
  MessageWriter w;
  WriteDataRow(w, {Value::Null(), Value::Int32(42)});
  EXPECT_EQ(w.data(), std::string("D\0\0\0\x10\0\x02\xff\xff\xff\xff\0\0\0\x02" "42", 17));
}

TEST(BackendMessagesTest, ErrorResponseCarriesSqlStateAndPosition) {
  MessageWriter w;
  WriteErrorResponse(w, ReportFromStatus(Severity::kError,
                                         MakeError(ErrorCode::kSyntaxError, "bad", 12)));
  test::BackendMessage m{'E', w.data().substr(5)};
  auto fields = test::ErrorFields(m);
  EXPECT_EQ(fields['S'], "ERROR");
  EXPECT_EQ(fields['V'], "ERROR");
  EXPECT_EQ(fields['C'], "42601");
  EXPECT_EQ(fields['M'], "bad");
  EXPECT_EQ(fields['P'], "12");
  EXPECT_EQ(w.data().back(), '\0');
}

TEST(BackendMessagesTest, NoticeAndReadyForQuery) {
  MessageWriter w;
  ErrorReport notice;
  notice.severity = Severity::kWarning;
  notice.sqlstate = "25001";
  notice.message = "there is already a transaction in progress";
  WriteNoticeResponse(w, notice);
  EXPECT_EQ(w.data()[0], 'N');
  EXPECT_EQ(test::ErrorFields({'N', w.data().substr(5)})['S'], "WARNING");
  w.Clear();
  WriteReadyForQuery(w, executor::TxnStatus::kFailed);
  EXPECT_EQ(w.data(), std::string("Z\0\0\0\x05" "E", 6));
}

}  // namespace
}  // namespace cairn::pgwire
