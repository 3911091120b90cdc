#pragma once

#include "planner/plan.h"

namespace cairn::planner {

// Drops every sort whose input already comes in its order. A scan reads
// rows in the order of the key it walks: the primary key (full, range and
// point access), or a secondary index's columns followed, for a
// non-unique one, by the primary key; the key columns an equality fixes
// may be skipped, as constant. Projections and filters keep the order.
// So ORDER BY such a key needs no sort, and a LIMIT above stops the scan
// early instead of after reading the table. ORDER BY the key's columns in
// the opposite directions walks it backwards (`ORDER BY id DESC LIMIT n`
// reads the last n rows).
//
// Under a LIMIT, a sort over a full scan that no key order serves as it
// is makes the scan walk a secondary index in that order instead, so that
// `ORDER BY indexed_column LIMIT n` reads n entries rather than the table.
//
// A scan whose order a dropped sort relied on is marked keeps_order.
void RemoveNeedlessSorts(PlanPtr* plan);

}  // namespace cairn::planner
