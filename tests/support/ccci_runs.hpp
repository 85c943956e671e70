// Running the real ccci binary as a user would, and reading what it wrote:
// the exit code, the output and the run's results.json.
#pragma once

#include "model/results.hpp"
#include "os/process.hpp"

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ccci::test {

/// <under>/<the running test case>/<name>, made empty: each test case and
/// name its own, so scenarios run in parallel and a rerun starts clean.
std::filesystem::path fresh_dir(const std::filesystem::path& under, const std::string& name);

/// Runs `argv` with stderr merged into the output, and logs the command, how
/// it ended and what it printed (seen with --log_level=message).
host::ProcessResult run_logged(const std::vector<std::string>& argv,
                               std::chrono::minutes timeout = std::chrono::minutes(8),
                               std::vector<std::string> env = {});

/// One invocation of ccci.
struct CcciCall {
  std::filesystem::path binary{}; ///< the ccci to run (the build's, or an installed one)
  std::vector<std::string> args{};
  std::filesystem::path runs_dir{};  ///< given as --runs-dir, before any `--` (what follows is a child's)
  std::vector<std::string> prefix{}; ///< a command to run ccci through, e.g. `timeout --signal=INT 20`
  std::vector<std::string> env{};    ///< "K=V" added to the environment
  std::chrono::minutes timeout{8};
};

/// What an invocation did.
struct Outcome {
  int exit_code = -1;
  std::string output; ///< stdout and stderr
  std::filesystem::path runs_dir;
  std::optional<host::RunResults> results; ///< the results.json written under runs_dir, if any

  std::filesystem::path run_dir() const { return runs_dir / results->run_id; }
  const host::TierResult& tier(Tier t) const { return results->tier(t); }
  /// The check named e.g. "install/serving", or nullptr.
  const host::CheckRecord* check(const std::string& name) const;
};

Outcome run_ccci(const CcciCall& call);

} // namespace ccci::test
