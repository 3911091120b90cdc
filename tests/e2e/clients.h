#pragma once

// The client side of the end-to-end tests, next to the node that
// cairn::testing::CairnProcess (tests/support) runs.
//
// Linking clients.cc clears the PG* variables that change a client session
// (PGTZ, PGOPTIONS, PGDATESTYLE, PGSSLMODE, ...) before the first test, so
// that libpq, psql and psycopg2 see a server's defaults.

#include <string>

namespace cairn::e2e {

// Runs `command` through /bin/sh, capturing stdout and stderr (merged).
// Returns the exit status (-1 if the command could not be run).
int RunCommand(const std::string& command, std::string* output);

}  // namespace cairn::e2e
