#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "parser/ast/dml.h"
#include "parser/ast/statement.h"

namespace cairn::ast {

// DECLARE name [BINARY] [NO SCROLL | SCROLL] CURSOR [WITH | WITHOUT HOLD]
// FOR query.
struct DeclareCursorStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kDeclareCursor;
  DeclareCursorStatement() : Statement(kKind) {}
  std::string ToString() const override;

  std::string name;
  bool binary = false;
  bool scroll = false;
  bool with_hold = false;
  std::unique_ptr<SelectStatement> query;
};

// FETCH [direction] [FROM | IN] name, and MOVE, which moves the same way
// without returning rows. Directions as counts: NEXT is FORWARD 1, ALL is
// FORWARD ALL; PRIOR, FIRST, LAST, ABSOLUTE and RELATIVE are kept apart.
enum class FetchDirection : uint8_t { kForward, kBackward, kAbsolute, kRelative };

struct FetchStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kFetch;
  FetchStatement() : Statement(kKind) {}
  std::string ToString() const override;

  bool move = false;
  FetchDirection direction = FetchDirection::kForward;
  int64_t count = 1;  // kForward/kBackward: rows; kAbsolute/kRelative: position
  bool all = false;   // FORWARD ALL / BACKWARD ALL
  std::string cursor;
};

// CLOSE name | ALL.
struct CloseCursorStatement : Statement {
  static constexpr StatementKind kKind = StatementKind::kCloseCursor;
  CloseCursorStatement() : Statement(kKind) {}
  std::string ToString() const override;

  std::string name;  // empty: ALL
};

}  // namespace cairn::ast
