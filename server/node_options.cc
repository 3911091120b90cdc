#include "server/node_options.h"

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "common/error_code.h"

namespace cairn::server {

std::string HostPort::ToString() const { return absl::StrCat(host, ":", port); }

absl::StatusOr<HostPort> ParseHostPort(const std::string& text) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return MakeError(ErrorCode::kInvalidArgument, absl::StrCat("expected HOST:PORT, got \"", text, "\""));
  }
  HostPort hp;
  hp.host = text.substr(0, colon);
  uint32_t port = 0;
  if (!absl::SimpleAtoi(text.substr(colon + 1), &port) || port > 65535) {
    return MakeError(ErrorCode::kInvalidArgument, absl::StrCat("bad port in \"", text, "\""));
  }
  hp.port = static_cast<uint16_t>(port);
  return hp;
}

absl::StatusOr<uint64_t> ParseByteSize(const std::string& text) {
  static constexpr std::pair<absl::string_view, uint64_t> kUnits[] = {
      {"GiB", 1ull << 30}, {"MiB", 1ull << 20}, {"KiB", 1ull << 10}, {"B", 1}};
  absl::string_view number = text;
  uint64_t unit = 1;
  for (const auto& [suffix, scale] : kUnits) {
    if (absl::EndsWith(number, suffix)) {
      number.remove_suffix(suffix.size());
      unit = scale;
      break;
    }
  }
  uint64_t n = 0;
  if (!absl::SimpleAtoi(number, &n) || n == 0 || n > (UINT64_MAX / unit)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     absl::StrCat("bad size \"", text, "\" (such as 64MiB, 512KiB or 1048576)"));
  }
  return n * unit;
}

absl::StatusOr<NodeOptions> ParseNodeOptions(const std::vector<std::string>& args) {
  NodeOptions options;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::string value;
    size_t eq = flag.find('=');
    if (eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return MakeError(ErrorCode::kInvalidArgument, absl::StrCat("flag ", flag, " needs a value"));
    }
    if (flag == "--data-dir") {
      options.data_dir = value;
    } else if (flag == "--sql-addr") {
      CAIRN_ASSIGN_OR_RETURN(options.sql_addr, ParseHostPort(value));
    } else if (flag == "--rpc-addr") {
      CAIRN_ASSIGN_OR_RETURN(options.rpc_addr, ParseHostPort(value));
    } else if (flag == "--http-addr") {
      CAIRN_ASSIGN_OR_RETURN(options.http_addr, ParseHostPort(value));
    } else if (flag == "--join") {
      for (const auto& part : absl::StrSplit(value, ',', absl::SkipEmpty())) {
        CAIRN_ASSIGN_OR_RETURN(HostPort hp, ParseHostPort(std::string(part)));
        options.join.push_back(hp);
      }
    } else if (flag == "--raft-tick-ms") {
      if (!absl::SimpleAtoi(value, &options.raft_tick_ms) || options.raft_tick_ms <= 0) {
        return MakeError(ErrorCode::kInvalidArgument, "bad --raft-tick-ms");
      }
    } else if (flag == "--dead-node-timeout") {
      absl::Duration d;
      if (!absl::ParseDuration(value, &d) || d <= absl::ZeroDuration()) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "bad --dead-node-timeout (a duration such as 30s or 1500ms)");
      }
      options.dead_node_timeout_ms = absl::ToInt64Milliseconds(d);
    } else if (flag == "--replication-factor") {
      if (!absl::SimpleAtoi(value, &options.replication_factor) || options.replication_factor < 1 ||
          options.replication_factor > 7) {
        return MakeError(ErrorCode::kInvalidArgument, "--replication-factor must be 1 to 7");
      }
    } else if (flag == "--range-max-bytes") {
      CAIRN_ASSIGN_OR_RETURN(options.range_max_bytes, ParseByteSize(value));
    } else if (flag == "--raft-log-retained-entries") {
      if (!absl::SimpleAtoi(value, &options.raft_log_retained_entries) ||
          options.raft_log_retained_entries == 0) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "--raft-log-retained-entries must be a positive number");
      }
    } else if (flag == "--certs-dir") {
      options.certs_dir = value;
    } else if (flag == "--loopback-auth") {
      if (value != "trust" && value != "password") {
        return MakeError(ErrorCode::kInvalidArgument,
                         "--loopback-auth must be \"trust\" or \"password\"");
      }
      options.loopback_auth = value;
    } else if (flag == "--advertise-host") {
      if (value.empty() || value.find(':') != std::string::npos) {
        return MakeError(ErrorCode::kInvalidArgument,
                         "--advertise-host takes a host name or IPv4 address, without a port");
      }
      options.advertise_host = value;
    } else if (flag == "--remote-auth") {
      if (value != "trust" && value != "password") {
        return MakeError(ErrorCode::kInvalidArgument,
                         "--remote-auth must be \"trust\" or \"password\"");
      }
      options.remote_auth = value;
    } else {
      return MakeError(ErrorCode::kInvalidArgument, absl::StrCat("unknown flag ", flag));
    }
  }
  return options;
}

std::string UsageText() {
  return "usage: cairn start [--data-dir DIR] [--sql-addr HOST:PORT] [--rpc-addr HOST:PORT]\n"
         "                   [--http-addr HOST:PORT] [--join HOST:RPCPORT,...]\n"
         "                   [--certs-dir DIR] [--loopback-auth trust|password]\n"
         "                   [--remote-auth password|trust] [--advertise-host HOST]\n"
         "                   [--dead-node-timeout DURATION] [--replication-factor N]\n"
         "                   [--range-max-bytes SIZE] [--raft-log-retained-entries N]\n"
         "defaults: --data-dir ./cairn-data --sql-addr 127.0.0.1:5433 --rpc-addr 127.0.0.1:7433\n"
         "          --http-addr 127.0.0.1:8433 --dead-node-timeout 30s --replication-factor 3\n"
         "          --range-max-bytes 64MiB --raft-log-retained-entries 16384\n"
         "       cairn cert create-ca|create-node|create-client --certs-dir DIR ...\n"
         "       cairn node status|drain|decommission ... [--host HOST:RPCPORT]\n";
}

}  // namespace cairn::server
