#include "server/status_page.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "common/key_codec.h"

namespace cairn::server {
namespace {

std::string Escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// A table: a heading, column names, rows of already escaped cells.
std::string Table(const std::string& id, const std::string& heading,
                  const std::vector<std::string>& columns,
                  const std::vector<std::vector<std::string>>& rows, const std::string& empty) {
  std::string out = absl::StrCat("<h2>", heading, "</h2>\n");
  if (rows.empty()) return absl::StrCat(out, "<p class=\"empty\">", empty, "</p>\n");
  absl::StrAppend(&out, "<table id=\"", id, "\">\n<tr>");
  for (const std::string& c : columns) absl::StrAppend(&out, "<th>", c, "</th>");
  absl::StrAppend(&out, "</tr>\n");
  for (const auto& row : rows) {
    absl::StrAppend(&out, "<tr>");
    for (const std::string& cell : row) absl::StrAppend(&out, "<td>", cell, "</td>");
    absl::StrAppend(&out, "</tr>\n");
  }
  return absl::StrCat(out, "</table>\n");
}

std::string NodesTable(const StatusPageData& data) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& m : data.members) {
    const proto::NodeRecord& r = m.record;
    std::string state = m.live ? "live" : "dead";
    if (r.decommissioning()) state += ", decommissioning";
    if (r.draining()) state += ", draining";
    rows.push_back(
        {absl::StrCat(r.node_id(), r.node_id() == data.node_id ? " (this node)" : ""),
         Escape(r.rpc_address()), Escape(r.sql_address()), Escape(r.http_address()),
         absl::StrCat("<span class=\"", m.live ? "live" : "dead", "\">", state, "</span>"),
         absl::StrCat(r.range_count()), absl::StrCat(r.lease_count())});
  }
  return Table(
      "nodes", "Nodes",
      {"node", "RPC address", "SQL address", "HTTP address", "liveness", "replicas", "leases"},
      rows, "No members known yet (the first heartbeat is pending).");
}

std::string RangesTable(const StatusPageData& data) {
  std::vector<std::vector<std::string>> rows;
  for (const kv::RangeInfo& info : data.ranges) {
    std::vector<uint64_t> voters;
    std::vector<uint64_t> learners;
    for (const auto& replica : info.range.replicas()) {
      (replica.learner() ? learners : voters).push_back(replica.node_id());
    }
    rows.push_back(
        {absl::StrCat(info.range.range_id()), Escape(key_codec::PrettyKey(info.range.start_key())),
         info.range.end_key().empty() ? "(end)"
                                      : Escape(key_codec::PrettyKey(info.range.end_key())),
         absl::StrJoin(voters, ", "), absl::StrJoin(learners, ", "),
         info.leaseholder_node_id == 0 ? "none" : absl::StrCat(info.leaseholder_node_id),
         info.approximate_bytes ? absl::StrCat(*info.approximate_bytes) : ""});
  }
  return Table(
      "ranges", "Ranges and leaseholders",
      {"range", "start key", "end key", "voters (nodes)", "learners", "leaseholder", "bytes"}, rows,
      data.ranges_error.empty() ? "No ranges."
                                : Escape("Ranges unavailable: " + data.ranges_error));
}

std::string ThroughputTable(const StatusPageData& data) {
  std::vector<std::vector<std::string>> rows;
  for (const ThroughputMeter::Rate& rate : data.throughput) {
    rows.push_back({Escape(rate.label), absl::StrFormat("%.1f", rate.per_second)});
  }
  rows.push_back({"Raft replication lag (entries, ranges led here)",
                  absl::StrCat(data.replication_lag_entries)});
  return Table(
      "throughput",
      absl::StrCat("Throughput on this node (last ", ThroughputMeter::kWindow.count(), " s)"),
      {"what", "per second"}, rows, "");
}

std::string SlowestTable(const StatusPageData& data) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : data.slowest) {
    rows.push_back({absl::StrFormat("%.1f", e.ms),
                    absl::StrCat("<code>", Escape(e.text), "</code>"), Escape(e.user),
                    Escape(e.database), e.failed ? "error" : "ok",
                    absl::FormatTime("%H:%M:%S", absl::FromUnixMillis(e.finished_unix_ms),
                                     absl::UTCTimeZone())});
  }
  return Table("slowest", "Slowest statements on this node (last 10 minutes)",
               {"ms", "statement", "user", "database", "outcome", "finished (UTC)"}, rows,
               "No statements yet.");
}

}  // namespace

std::string RenderStatusPage(const StatusPageData& data) {
  size_t live = 0;
  for (const auto& m : data.members) live += m.live ? 1 : 0;
  std::string out = absl::StrCat(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"refresh\" content=\"5\">\n"
      "<title>CairnDB node ",
      data.node_id,
      "</title>\n<style>\n"
      "body { font-family: sans-serif; margin: 1.5em; color: #222; }\n"
      "table { border-collapse: collapse; margin-bottom: 1em; }\n"
      "th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; text-align: left; }\n"
      "th { background: #eee; } .live { color: #070; } .dead { color: #b00; font-weight: bold; }\n"
      "code { white-space: pre-wrap; }\n</style>\n</head>\n<body>\n");
  absl::StrAppend(&out, "<h1>CairnDB node ", data.node_id, "</h1>\n<p>Cluster ",
                  Escape(data.cluster_id), ": ", data.members.size(), " nodes, ", live, " live; ",
                  data.ranges.size(), " ranges.</p>\n");
  absl::StrAppend(&out, NodesTable(data), ThroughputTable(data), RangesTable(data),
                  SlowestTable(data));
  absl::StrAppend(&out,
                  "<p>Metrics: <a href=\"/metrics\">/metrics</a>. Health: <a "
                  "href=\"/health\">/health</a>.</p>\n</body>\n</html>\n");
  return out;
}

}  // namespace cairn::server
