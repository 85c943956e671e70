// The JUnit XML of a run, for the CI systems that read it (Jenkins, GitLab,
// the Woodpecker and Drone plugins): one <testsuite> per tier, one <testcase>
// per check, and a suite for the run's flags (docs/junit.md; schema
// docs/junit.xsd). It is made from the results alone, so the file `ccci run
// --junit` writes as the run finishes and what `ccci report junit` makes from
// the run's results.json are the same bytes.
#pragma once

#include "model/results.hpp"
#include "report/listener.hpp"

#include <filesystem>
#include <ostream>
#include <string>
#include <string_view>

namespace ccci::host {

/// The document, UTF-8, well-formed whatever the messages hold.
std::string junit_xml(const RunResults& r);

/// Writes `xml` to `file` atomically, mode 0644 whatever the file had: a CI
/// system's collector reads it, often as another user. Throws InfraFailure
/// naming the file.
void write_junit_file(const std::filesystem::path& file, std::string_view xml);

/// Writes the JUnit file when the run finishes (red and unverified runs
/// too). It sits behind the RedactingListener, so what it writes is
/// redacted. A file it cannot write is said on `terminal`; the verdict
/// stands, and results.json has it.
class JUnitWriter final : public RunListener {
public:
  JUnitWriter(std::filesystem::path file, std::ostream& terminal) : file_(std::move(file)), terminal_(terminal) {}
  void run_finished(const RunResults& results, const std::filesystem::path& results_file) override;

private:
  std::filesystem::path file_;
  std::ostream& terminal_;
};

} // namespace ccci::host
