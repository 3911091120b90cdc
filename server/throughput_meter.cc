#include "server/throughput_meter.h"

namespace cairn::server {

ThroughputMeter::ThroughputMeter(std::vector<Measured> measured) : measured_(std::move(measured)) {}

ThroughputMeter::~ThroughputMeter() { Stop(); }

void ThroughputMeter::Start() {
  TakeSample();
  thread_ = std::thread([this] {
    absl::MutexLock lock(&mu_);
    while (!mu_.AwaitWithTimeout(absl::Condition(&stopping_), absl::Seconds(1))) {
      mu_.Unlock();
      TakeSample();
      mu_.Lock();
    }
  });
}

void ThroughputMeter::Stop() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) thread_.join();
}

void ThroughputMeter::TakeSample() {
  Sample sample{std::chrono::steady_clock::now(), {}};
  for (const Measured& m : measured_) sample.values.push_back(m.counter->value());
  absl::MutexLock lock(&mu_);
  samples_.push_back(std::move(sample));
  // The oldest kept sample is the first at least kWindow old.
  while (samples_.size() > 2 && samples_.back().at - samples_[1].at >= kWindow) {
    samples_.pop_front();
  }
}

std::vector<ThroughputMeter::Rate> ThroughputMeter::Rates() const {
  std::vector<Rate> rates;
  absl::MutexLock lock(&mu_);
  for (size_t i = 0; i < measured_.size(); ++i) {
    Rate rate{measured_[i].label, 0};
    if (samples_.size() >= 2) {
      const Sample& first = samples_.front();
      const Sample& last = samples_.back();
      const std::chrono::duration<double> span = last.at - first.at;
      if (span.count() > 0) rate.per_second = (last.values[i] - first.values[i]) / span.count();
    }
    rates.push_back(std::move(rate));
  }
  return rates;
}

}  // namespace cairn::server
