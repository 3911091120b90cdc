#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "parser/ast/names.h"

namespace cairn::executor {

// COPY's text and CSV formats, as PostgreSQL 15 reads and writes them.

struct CopyOptions {
  bool csv = false;
  char delimiter = '\t';       // ',' for CSV
  std::string null_string;     // "\N" for text, "" for CSV
  bool header = false;         // the first line names the columns
  char quote = '"';            // CSV only
  char escape = '"';           // CSV only

  // From COPY's WITH options: FORMAT, DELIMITER, NULL, HEADER, QUOTE,
  // ESCAPE, FREEZE (accepted; rows are never frozen here). 42601 for an
  // unknown or repeated option, 0A000 for what PostgreSQL refuses too (a
  // delimiter that is not one byte, QUOTE outside CSV) or CairnDB lacks
  // (the binary format).
  static absl::StatusOr<CopyOptions> FromAst(const std::vector<ast::Option>& options);
};

// One line of input split into fields (nullopt: NULL), with the line
// number it started on, for errors.
struct CopyRecord {
  std::vector<std::optional<std::string>> fields;
  int64_t line = 0;
  std::string text;  // the raw line(s), for error context
};

// Splits COPY FROM data into records. Data arrives in chunks that need not
// end at line boundaries (CopyData messages); Feed takes each, Finish the
// end of data. A line "\." ends the data early, as in PostgreSQL.
class CopyParser {
 public:
  // `context` names the COPY in errors' CONTEXT ("COPY t").
  CopyParser(const CopyOptions& options, std::string context)
      : options_(options), context_(std::move(context)) {}

  // Appends whole records found in `chunk` (and what was held back) to
  // `out`. 22P04 for a CSV quote left open at the end.
  absl::Status Feed(std::string_view chunk, std::vector<CopyRecord>* out);
  absl::Status Finish(std::vector<CopyRecord>* out);
  bool ended() const { return ended_; }

 private:
  // Parses the complete line(s) in `text`, which started on line `line`.
  absl::Status ParseRecord(std::string_view text, std::vector<CopyRecord>* out);
  absl::StatusOr<CopyRecord> ParseText(std::string_view text) const;
  absl::StatusOr<CopyRecord> ParseCsv(std::string_view text) const;
  // Where the record that starts at pending_[0] ends (the index of its
  // newline), or npos if it does not end within pending_ yet.
  size_t RecordEnd() const;

  const CopyOptions options_;
  const std::string context_;
  enum class LineEnding { kUnknown, kLf, kCrLf };
  LineEnding line_ending_ = LineEnding::kUnknown;
  std::string pending_;  // input not yet split into records
  int64_t next_line_ = 1;
  bool header_skipped_ = false;
  bool ended_ = false;
};

// One row of COPY TO output, fields already in text form (nullopt: NULL),
// with its line ending.
std::string FormatCopyRow(const std::vector<std::optional<std::string>>& fields,
                          const CopyOptions& options);

}  // namespace cairn::executor
