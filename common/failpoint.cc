#include "common/failpoint.h"

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>

#include "absl/strings/str_split.h"

namespace cairn::failpoint {
namespace {

const std::set<std::string, std::less<>>& ActiveFailpoints() {
  static const auto* active = [] {
    auto* names = new std::set<std::string, std::less<>>();
    if (const char* env = std::getenv("CAIRN_FAILPOINTS")) {
      for (absl::string_view name : absl::StrSplit(env, ',', absl::SkipWhitespace())) {
        names->emplace(std::string(name));
      }
    }
    return names;
  }();
  return *active;
}

}  // namespace

void CrashIfSet(std::string_view name) {
  if (!ActiveFailpoints().contains(name)) return;
  std::fprintf(stderr, "failpoint %.*s: killing the node\n", static_cast<int>(name.size()),
               name.data());
  std::fflush(stderr);
  std::raise(SIGKILL);
}

}  // namespace cairn::failpoint
