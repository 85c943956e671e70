// The programs ccci and its plugins need on PATH, declared in code so
// `ccci doctor`, every results.json and the Nix runtime inputs agree.
#pragma once

#include "model/results.hpp"

#include <string>
#include <vector>

namespace ccci::host {

struct RequiredTool {
  std::string name;
  std::string why;
};

/// What ccci itself runs: docker (stacks, secrets, exec, cp) and git
/// (checkouts, tags, the sweep's mirror sync).
const std::vector<RequiredTool>& framework_tools();

/// Finds each tool on PATH and reads the first line of its `--version`.
std::vector<ToolInfo> fingerprint(const std::vector<std::string>& tools);

} // namespace ccci::host
