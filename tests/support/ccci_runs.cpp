#include "support/ccci_runs.hpp"

#include "support/files.hpp"

#include <boost/test/unit_test.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>

namespace fs = std::filesystem;

namespace ccci::test {

fs::path fresh_dir(const fs::path& under, const std::string& name) {
  auto d = under / std::string(boost::unit_test::framework::current_test_case().p_name) / name;
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

host::ProcessResult run_logged(const std::vector<std::string>& argv, std::chrono::minutes timeout,
                               std::vector<std::string> env) {
  host::ProcessOptions opts;
  opts.timeout = timeout;
  opts.merge_stderr = true;
  opts.extra_env = std::move(env);
  auto r = host::run_process(argv, opts);
  BOOST_TEST_MESSAGE(fmt::format("{}: {}\n{}", fmt::join(argv, " "), r.describe(), r.out));
  return r;
}

const host::CheckRecord* Outcome::check(const std::string& name) const {
  for (auto& t : results->tiers)
    for (auto& c : t.checks)
      if (c.name == name) return &c;
  return nullptr;
}

Outcome run_ccci(const CcciCall& call) {
  std::vector<std::string> argv = call.prefix;
  argv.push_back(call.binary.string());
  argv.insert(argv.end(), call.args.begin(), call.args.end());
  argv.insert(std::find(argv.begin() + static_cast<std::ptrdiff_t>(call.prefix.size()), argv.end(), "--"),
              {"--runs-dir", call.runs_dir.string()});
  auto r = run_logged(argv, call.timeout, call.env);
  Outcome o{r.exit_code, r.out, call.runs_dir, std::nullopt};
  for (auto& entry : fs::directory_iterator(call.runs_dir))
    if (fs::exists(entry.path() / "results.json"))
      o.results = host::results_from_json(read(entry.path() / "results.json"), entry.path().string());
  return o;
}

} // namespace ccci::test
