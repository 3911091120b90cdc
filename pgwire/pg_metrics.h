#pragma once

#include "common/metrics.h"

namespace cairn::pgwire {

// The SQL front end's metrics in the process registry, looked up once.
struct PgMetrics {
  Counter* connections_total;  // connections accepted
  Gauge* connections_open;     // connections being served now
  Counter* queries_total;      // Query messages executed

  static const PgMetrics& Get() {
    static const PgMetrics metrics{
        MetricRegistry::Global().GetCounter("cairn_sql_connections_total",
                                            "SQL client connections accepted."),
        MetricRegistry::Global().GetGauge("cairn_sql_connections_open",
                                          "SQL client connections currently open."),
        MetricRegistry::Global().GetCounter("cairn_sql_queries_total",
                                            "Simple-protocol Query messages executed."),
    };
    return metrics;
  }
};

}  // namespace cairn::pgwire
