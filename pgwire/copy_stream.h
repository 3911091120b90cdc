#pragma once

#include "executor/sql_session.h"
#include "pgwire/connection.h"

namespace cairn::pgwire {

// COPY's sub-protocols on a connection: CopyInResponse then the client's
// CopyData up to CopyDone (or CopyFail); CopyOutResponse, CopyData and
// CopyDone to the client. Used on the connection's thread, during one
// statement.
class Connection::CopyStream final : public executor::CopyChannel {
 public:
  explicit CopyStream(Connection* conn) : conn_(conn) {}

  absl::Status BeginCopyIn(int columns) override;
  absl::StatusOr<std::optional<std::string>> ReadCopyData() override;
  absl::Status BeginCopyOut(int columns) override;
  absl::Status WriteCopyData(std::string_view data) override;
  absl::Status EndCopyOut() override;

 private:
  Connection* const conn_;
};

}  // namespace cairn::pgwire
