#pragma once

#include <string>

namespace cairn::ast {

// A name the user wrote, after identifier rules: unquoted identifiers folded
// to lower case, quoted ones kept as written, both truncated to 63 bytes.
// `position` is the 1-based character offset of its token in the query text
// (0 when the node was not built from text), so later layers can point at it.
struct Identifier {
  std::string name;
  int position = 0;

  std::string ToString() const;  // quoted when needed
};

// A possibly qualified object name: [catalog.][schema.]name.
struct ObjectName {
  std::string catalog;  // empty when not given
  std::string schema;   // empty when not given
  std::string name;
  int position = 0;     // 1-based offset of the first part

  std::string ToString() const;
};

// A `name value` option: EXPLAIN (FORMAT json), COPY ... WITH (HEADER),
// CREATE TABLE ... WITH (fillfactor = 100).
struct Option {
  std::string name;   // lower-cased
  std::string value;  // as PostgreSQL flattens it (see SetStatement); empty when absent
  int position = 0;
};

}  // namespace cairn::ast
