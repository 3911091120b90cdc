#pragma once

#include "planner/plan.h"

namespace cairn::planner {

// Drops every sort whose input already comes in its order: a scan reads
// rows in primary-key order (point gets and range scans too; secondary
// index scans do not), and projections and filters keep the order, so
// ORDER BY a prefix of the primary key, in its directions, needs no sort,
// and a LIMIT above stops the scan early instead of after reading the table.
void RemoveNeedlessSorts(PlanPtr* plan);

}  // namespace cairn::planner
