#pragma once

// CairnDB logs through spdlog. Use the macros so call sites stay short and
// the logger can be swapped for tests.
#include "spdlog/spdlog.h"

#define CAIRN_LOG_DEBUG(...) ::spdlog::debug(__VA_ARGS__)
#define CAIRN_LOG_INFO(...) ::spdlog::info(__VA_ARGS__)
#define CAIRN_LOG_WARN(...) ::spdlog::warn(__VA_ARGS__)
#define CAIRN_LOG_ERROR(...) ::spdlog::error(__VA_ARGS__)
