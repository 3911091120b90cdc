#pragma once

#include <memory>

#include "fake_session.h"
#include "gtest/gtest.h"
#include "pgwire/pg_server.h"

namespace cairn::pgwire::test {

// A PgServer on 127.0.0.1 and a free port, serving FakeSessionFactory.
class PgServerTest : public ::testing::Test {
 protected:
  virtual PgServerOptions Options() { return {}; }

  void SetUp() override {
    server_ = std::make_unique<PgServer>(&factory_, Options());
    absl::Status status = server_->Start("127.0.0.1", 0);
    ASSERT_TRUE(status.ok()) << status;
    port_ = server_->port();
    ASSERT_NE(port_, 0);
  }

  void TearDown() override {
    factory_.ReleaseWaiters();
    server_->Stop();
  }

  FakeSessionFactory factory_;
  std::unique_ptr<PgServer> server_;
  uint16_t port_ = 0;
};

}  // namespace cairn::pgwire::test
