// The status page at the HTTP address: loaded in headless Chromium (Debian's
// chromium, installed by scripts/install-deps), which must find the node,
// its liveness, the ranges and their leaseholder, the throughput figures
// and the slowest statement just run; and its raw HTML escapes what users
// typed.

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include "cairn_process.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "pg_client.h"

namespace cairn::e2e {
namespace {

using ::cairn::testing::NodeTest;
using ::testing::HasSubstr;

// The path of Debian's chromium, or "" when it is not installed.
std::string ChromiumBinary() {
  for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (std::filesystem::exists(path)) return path;
  }
  return "";
}

// The page at `url` as the browser built it (--dump-dom), or "" on failure.
std::string DumpDom(const std::string& chromium, const std::string& url) {
  const std::filesystem::path profile =
      std::filesystem::temp_directory_path() / ("cairn-chromium-" + std::to_string(::getpid()));
  const std::string command = "timeout 90 " + chromium +
                              " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage"
                              " --no-first-run --user-data-dir=" +
                              profile.string() + " --dump-dom '" + url + "' 2>/dev/null";
  std::string out;
  if (FILE* pipe = ::popen(command.c_str(), "r"); pipe != nullptr) {
    std::array<char, 4096> buffer;
    size_t n;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0)
      out.append(buffer.data(), n);
    ::pclose(pipe);
  }
  std::error_code ignored;
  std::filesystem::remove_all(profile, ignored);
  return out;
}

TEST_F(NodeTest, StatusPageShowsTheClusterInHeadlessChromium) {
  const std::string chromium = ChromiumBinary();
  if (chromium.empty()) GTEST_SKIP() << "no chromium here (scripts/install-deps installs it)";
  {
    PgConn pg(node_.Dsn());
    ASSERT_TRUE(pg.ok()) << pg.error();
    ASSERT_TRUE(pg.Exec("CREATE TABLE watched (id INT PRIMARY KEY)").ok);
    // Slower than anything else this test runs: the page's slowest.
    QueryResult slow = pg.Exec(
        "SELECT count(*) AS status_page_probe FROM generate_series(1, 400000) g WHERE g % 7 = 3");
    ASSERT_TRUE(slow.ok) << slow.message;
  }
  const std::string url = "http://127.0.0.1:" + std::to_string(node_.http_port()) + "/";
  const std::string dom = DumpDom(chromium, url);
  ASSERT_FALSE(dom.empty()) << "chromium loaded nothing from " << url;
  std::printf("[status page] %s: %zu bytes of DOM\n", url.c_str(), dom.size());
  EXPECT_THAT(dom, HasSubstr("<h1>CairnDB node 1</h1>"));
  EXPECT_THAT(dom, HasSubstr("1 (this node)"));
  EXPECT_THAT(dom, HasSubstr("127.0.0.1:" + std::to_string(node_.sql_port())));
  EXPECT_THAT(dom, HasSubstr("<span class=\"live\">live</span>"));
  EXPECT_THAT(dom, HasSubstr("Ranges and leaseholders"));
  EXPECT_THAT(dom, HasSubstr("<th>leaseholder</th>"));
  EXPECT_THAT(dom, HasSubstr("SQL statements"));
  EXPECT_THAT(dom, HasSubstr("Raft proposals"));
  EXPECT_THAT(dom, HasSubstr("Raft replication lag"));
  EXPECT_THAT(dom, HasSubstr("Slowest statements"));
  EXPECT_THAT(dom, HasSubstr("status_page_probe"));
  // The statement is the slowest: the first row of its table.
  const size_t slowest = dom.find("<table id=\"slowest\">");
  ASSERT_NE(slowest, std::string::npos);
  const size_t first_row = dom.find("<td>", slowest);
  const size_t next_row = dom.find("</tr>", first_row);
  EXPECT_THAT(dom.substr(first_row, next_row - first_row), HasSubstr("status_page_probe"));
}

TEST_F(NodeTest, StatusPageEscapesStatementText) {
  {
    PgConn pg(node_.Dsn());
    ASSERT_TRUE(pg.ok()) << pg.error();
    ASSERT_TRUE(pg.Exec("SELECT '<script>alert(1)</script>' AS probe").ok);
  }
  std::string body;
  ASSERT_EQ(node_.HttpGet("/", &body), 200);
  EXPECT_THAT(body, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;"));
  EXPECT_THAT(body, ::testing::Not(HasSubstr("<script>")));
  EXPECT_THAT(body, HasSubstr("<!DOCTYPE html>"));
}

}  // namespace
}  // namespace cairn::e2e
