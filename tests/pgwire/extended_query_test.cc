// The extended query protocol over raw sockets, against the canned
// FakeSession: the exact messages for Parse, Bind, Describe, Execute (whole
// and with a row limit), Close and Sync; binary parameters and results; and
// errors, which skip everything up to Sync.
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "server_fixture.h"
#include "wire_client.h"

namespace cairn::pgwire::test {
namespace {

std::string Int16Bytes(int16_t v) {
  std::string out;
  out.push_back(static_cast<char>((v >> 8) & 0xff));
  out.push_back(static_cast<char>(v & 0xff));
  return out;
}

std::string CString(std::string_view s) { return std::string(s) + '\0'; }

std::string Parse(std::string_view name, std::string_view sql,
                  const std::vector<int32_t>& types = {}) {
  std::string body = CString(name) + CString(sql) + Int16Bytes(static_cast<int16_t>(types.size()));
  for (int32_t oid : types) body += Int32Bytes(static_cast<uint32_t>(oid));
  return FrontendMessage('P', body);
}

// A parameter value: bytes, or NULL.
using Param = std::optional<std::string>;

std::string Bind(std::string_view portal, std::string_view statement,
                 const std::vector<int16_t>& param_formats, const std::vector<Param>& params,
                 const std::vector<int16_t>& result_formats = {}) {
  std::string body = CString(portal) + CString(statement);
  body += Int16Bytes(static_cast<int16_t>(param_formats.size()));
  for (int16_t f : param_formats) body += Int16Bytes(f);
  body += Int16Bytes(static_cast<int16_t>(params.size()));
  for (const Param& p : params) {
    if (!p.has_value()) {
      body += Int32Bytes(0xffffffffu);
      continue;
    }
    body += Int32Bytes(static_cast<uint32_t>(p->size())) + *p;
  }
  body += Int16Bytes(static_cast<int16_t>(result_formats.size()));
  for (int16_t f : result_formats) body += Int16Bytes(f);
  return FrontendMessage('B', body);
}

std::string Describe(char kind, std::string_view name) {
  return FrontendMessage('D', std::string(1, kind) + CString(name));
}
std::string Execute(std::string_view portal, int32_t max_rows = 0) {
  return FrontendMessage('E', CString(portal) + Int32Bytes(static_cast<uint32_t>(max_rows)));
}
std::string Close(char kind, std::string_view name) {
  return FrontendMessage('C', std::string(1, kind) + CString(name));
}
std::string Sync() { return FrontendMessage('S', ""); }

std::string BigEndian64(uint64_t v) {
  return Int32Bytes(static_cast<uint32_t>(v >> 32)) + Int32Bytes(static_cast<uint32_t>(v));
}

// The OIDs of a ParameterDescription.
std::vector<int32_t> ParameterTypesOf(const BackendMessage& m) {
  std::vector<int32_t> out;
  const auto* p = reinterpret_cast<const unsigned char*>(m.body.data());
  const int n = (p[0] << 8) | p[1];
  for (int i = 0; i < n; ++i) {
    const unsigned char* q = p + 2 + 4 * i;
    out.push_back(static_cast<int32_t>((uint32_t{q[0]} << 24) | (q[1] << 16) | (q[2] << 8) | q[3]));
  }
  return out;
}

using Row = std::vector<std::optional<std::string>>;

class ExtendedQueryTest : public PgServerTest {
 protected:
  void SetUp() override {
    PgServerTest::SetUp();
    client_ = std::make_unique<WireClient>(port_);
    ASSERT_TRUE(client_->Login());
  }
  std::vector<BackendMessage> Roundtrip(const std::string& messages) {
    EXPECT_TRUE(client_->Send(messages));
    return client_->ReadUntilReady();
  }
  std::unique_ptr<WireClient> client_;
};

TEST_F(ExtendedQueryTest, ParseBindDescribeExecuteSync) {
  std::vector<BackendMessage> m = Roundtrip(Parse("", "SELECT rows 2") + Bind("", "", {}, {}) +
                                            Describe('P', "") + Execute("") + Sync());
  // ParseComplete, BindComplete, RowDescription, rows, CommandComplete, ready.
  ASSERT_EQ(Types(m), "12TDDCZ");
  std::vector<FieldDescription> fields = RowDescriptionOf(m[2]);
  ASSERT_EQ(fields.size(), 2u);
  EXPECT_EQ(fields[0].name, "i");
  EXPECT_EQ(fields[0].type_oid, 20);
  EXPECT_EQ(DataRowOf(m[4]), (Row{"2", "row 2"}));
  EXPECT_EQ(CStringOf(m[5]), "SELECT 2");
  EXPECT_EQ(m[6].body, "I");
}

TEST_F(ExtendedQueryTest, DescribeStatementGivesParameterTypesThenRowsOrNoData) {
  std::vector<BackendMessage> m =
      Roundtrip(Parse("echo", "SELECT $1, $2", {0, 23}) + Describe('S', "echo") +
                Parse("ins", "INSERT") + Describe('S', "ins") + Sync());
  ASSERT_EQ(Types(m), "1tT1tnZ");
  EXPECT_EQ(ParameterTypesOf(m[1]), (std::vector<int32_t>{20, 23}));  // $1 inferred, $2 declared
  EXPECT_EQ(RowDescriptionOf(m[2])[1].type_oid, 23);
  EXPECT_EQ(ParameterTypesOf(m[4]), std::vector<int32_t>{});
}

TEST_F(ExtendedQueryTest, ExecuteWithARowLimitSuspendsAndResumes) {
  std::vector<BackendMessage> m =
      Roundtrip(Parse("", "SELECT rows 5") + Bind("", "", {}, {}) + Execute("", 2) +
                Execute("", 2) + Execute("", 2) + Sync());
  ASSERT_EQ(Types(m), "12DDsDDsDCZ");
  EXPECT_EQ(DataRowOf(m[2]), (Row{"1", "row 1"}));
  EXPECT_EQ(DataRowOf(m[5]), (Row{"3", "row 3"}));
  EXPECT_EQ(DataRowOf(m[8]), (Row{"5", "row 5"}));
  EXPECT_EQ(CStringOf(m[9]), "SELECT 1");  // the rows of the last Execute
}

TEST_F(ExtendedQueryTest, TextAndBinaryParametersAndResults) {
  // $1 in binary (int8 42), $2 in text; results: a in binary, b in text.
  std::vector<BackendMessage> m = Roundtrip(
      Parse("", "SELECT $1, $2") + Bind("", "", {1, 0}, {BigEndian64(42), "hello"}, {1, 0}) +
      Describe('P', "") + Execute("") + Sync());
  ASSERT_EQ(Types(m), "12TDCZ");
  std::vector<FieldDescription> fields = RowDescriptionOf(m[2]);
  EXPECT_EQ(fields[0].format, 1);
  EXPECT_EQ(fields[1].format, 0);
  EXPECT_EQ(DataRowOf(m[3]), (Row{BigEndian64(42), "hello"}));

  // One format code applies to every parameter; NULL has no format.
  m = Roundtrip(Parse("", "SELECT $1, $2") + Bind("", "", {0}, {"-7", std::nullopt}) +
                Execute("") + Sync());
  ASSERT_EQ(Types(m), "12DCZ");
  EXPECT_EQ(DataRowOf(m[2]), (Row{"-7", std::nullopt}));
}

TEST_F(ExtendedQueryTest, BadParameterValuesAreErrors) {
  std::vector<BackendMessage> m =
      Roundtrip(Parse("", "SELECT $1, $2") + Bind("", "", {}, {"forty", "x"}) + Sync());
  ASSERT_EQ(Types(m), "1EZ");
  EXPECT_EQ(ErrorFields(m[1])['C'], "22P02");
  m = Roundtrip(Parse("", "SELECT $1, $2") + Bind("", "", {1}, {"\x01\x02", "x"}) + Sync());
  ASSERT_EQ(Types(m), "1EZ");
  EXPECT_EQ(ErrorFields(m[1])['C'], "22P03");
  m = Roundtrip(Parse("", "SELECT $1, $2") + Bind("", "", {}, {"1"}) + Sync());
  ASSERT_EQ(Types(m), "1EZ");
  EXPECT_EQ(ErrorFields(m[1])['C'], "08P01");
  EXPECT_EQ(ErrorFields(m[1])['M'],
            "bind message supplies 1 parameters, but prepared statement \"\" requires 2");
}

TEST_F(ExtendedQueryTest, AnErrorSkipsEverythingUpToSync) {
  std::vector<BackendMessage> m =
      Roundtrip(Parse("", "SELECT bad") + Bind("", "", {}, {}) + Execute("") +
                QueryMessage("INSERT") +  // discarded too, as PostgreSQL does
                Sync());
  ASSERT_EQ(Types(m), "EZ");
  EXPECT_EQ(ErrorFields(m[0])['C'], "42601");
  std::vector<std::string> statements = factory_.statements();
  EXPECT_EQ(std::count(statements.begin(), statements.end(), "INSERT"), 0);
  // The connection goes on.
  EXPECT_EQ(Types(Roundtrip(Parse("", "SELECT 1") + Bind("", "", {}, {}) + Execute("") + Sync())),
            "12DCZ");
}

TEST_F(ExtendedQueryTest, NamedStatementsAndPortalsUntilClosed) {
  std::vector<BackendMessage> m = Roundtrip(Parse("one", "SELECT 1") + Parse("one", "SELECT 1") +
                                            Sync());
  ASSERT_EQ(Types(m), "1EZ");
  EXPECT_EQ(ErrorFields(m[1])['C'], "42P05");
  // Inside a transaction block a named portal outlives Sync.
  m = Roundtrip(Parse("", "BEGIN") + Bind("", "", {}, {}) + Execute("") + Bind("p", "one", {}, {}) +
                Sync());
  ASSERT_EQ(Types(m), "12C2Z");
  EXPECT_EQ(m.back().body, "T");
  m = Roundtrip(Execute("p") + Close('P', "p") + Execute("p") + Sync());
  ASSERT_EQ(Types(m), "DC3EZ");
  EXPECT_EQ(ErrorFields(m[3])['C'], "34000");
  m = Roundtrip(Close('S', "one") + Bind("", "one", {}, {}) + Sync());
  ASSERT_EQ(Types(m), "3EZ");
  EXPECT_EQ(ErrorFields(m[1])['C'], "26000");
  EXPECT_EQ(Types(client_->Query("ROLLBACK")), "CZ");
}

TEST_F(ExtendedQueryTest, EmptyQueryAndCommandsWithoutRows) {
  std::vector<BackendMessage> m =
      Roundtrip(Parse("", "") + Bind("", "", {}, {}) + Describe('P', "") + Execute("") +
                Parse("", "INSERT") + Bind("", "", {}, {}) + Describe('P', "") + Execute("") +
                Sync());
  ASSERT_EQ(Types(m), "12nI12nCZ");
  EXPECT_EQ(CStringOf(m[7]), "INSERT 0 1");
}

}  // namespace
}  // namespace cairn::pgwire::test
