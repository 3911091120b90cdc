#include "common/metrics.h"

#include "absl/strings/str_cat.h"

namespace cairn {

MetricRegistry& MetricRegistry::Global() {
  static MetricRegistry* registry = new MetricRegistry();
  return *registry;
}

Counter* MetricRegistry::GetCounter(const std::string& name, const std::string& help) {
  absl::MutexLock lock(&mu_);
  Entry& e = entries_[name];
  if (!e.counter) e.counter = std::make_unique<Counter>();
  // A reader (the status page's meter) may ask first, without a help text.
  if (e.help.empty()) e.help = help;
  return e.counter.get();
}

Gauge* MetricRegistry::GetGauge(const std::string& name, const std::string& help) {
  absl::MutexLock lock(&mu_);
  Entry& e = entries_[name];
  if (!e.gauge) e.gauge = std::make_unique<Gauge>();
  if (e.help.empty()) e.help = help;
  return e.gauge.get();
}

std::string MetricRegistry::RenderPrometheus() const {
  absl::MutexLock lock(&mu_);
  std::string out;
  for (const auto& [name, e] : entries_) {
    absl::StrAppend(&out, "# HELP ", name, " ", e.help, "\n");
    if (e.counter) {
      absl::StrAppend(&out, "# TYPE ", name, " counter\n", name, " ", e.counter->value(), "\n");
    } else if (e.gauge) {
      absl::StrAppend(&out, "# TYPE ", name, " gauge\n", name, " ", e.gauge->value(), "\n");
    }
  }
  return out;
}

}  // namespace cairn
