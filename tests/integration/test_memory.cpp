// Bounded memory on the real swarm (docs/architecture.md, "Bounded memory"):
// a volume holding a 2 GiB sparse file is backed up and restored while ccci's
// peak resident memory stays under 64 MiB, and the file comes back whole.
// A resource bound, measured by the kernel, never a timing.
#define BOOST_TEST_MODULE integration_memory
#include <boost/test/unit_test.hpp>

#include "backup/archive.hpp"
#include "model/results.hpp"
#include "os/fs.hpp"
#include "os/process.hpp"
#include "os/spawn.hpp"
#include "support/ccci_runs.hpp"
#include "support/files.hpp"
#include "support/leftovers.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <sys/resource.h>
#include <thread>

namespace fs = std::filesystem;
using namespace ccci::host;
using namespace ccci::test;
using ccci::Tier;

namespace {

const fs::path work = CCCI_TEST_WORK_DIR;
// 2 GiB; CCCI_MEMORY_TEST_SIZE_MIB makes it smaller, to measure with
// CCCI_MEMORY_TEST_BIN a build that holds a volume in memory without
// risking the machine's.
const std::uint64_t sparse_size = [] {
  const char* mib = std::getenv("CCCI_MEMORY_TEST_SIZE_MIB");
  return mib ? std::strtoull(mib, nullptr, 10) << 20 : 2ull << 30;
}();
constexpr long peak_rss_cap_kib = 64 * 1024;

// The sparse file is made by the backup pre-hook, in the container, before
// the copy; the restore post-hook fails unless it came back with its size.
// (ccci's restore stream is sparse; docker's unpacking writes the holes out
// as zeros, which is docker's to change.)
std::string compose() {
  return fmt::format(R"(version: "3.8"
services:
  app:
    image: ccci-local/nginx:bookworm
    command: ["sleep", "infinity"]
    volumes:
      - data:/srv/data
    deploy:
      labels:
        - "backupbot.backup=true"
        - "backupbot.backup.pre-hook=echo small > /srv/data/small.txt && truncate -s {size} /srv/data/sparse.bin"
        - "backupbot.restore.post-hook=test \"$$(stat -c %s /srv/data/sparse.bin)\" = {size} && grep -qx small /srv/data/small.txt"
        - "coop-cloud.${{STACK_NAME}}.version=1.0.0+1.22.1"
volumes:
  data:
)",
                     fmt::arg("size", sparse_size));
}

// ccci's own peak resident set (VmHWM), read from /proc while it runs: the
// kernel's high-water mark only grows, so the last reading is the peak up
// to that moment.
long vm_hwm_kib(pid_t pid) {
  std::ifstream status(fmt::format("/proc/{}/status", pid));
  for (std::string line; std::getline(status, line);)
    if (line.starts_with("VmHWM:")) return std::atol(line.c_str() + 6);
  return -1;
}

struct Measured {
  ExitStatus status;
  long ccci_hwm_kib = -1;     ///< ccci alone, sampled
  long children_max_kib = -1; ///< the largest of ccci and everything it ran (rusage of the reaped)
  std::string output;
};

// Runs ccci (the build's, or CCCI_MEMORY_TEST_BIN to measure another build
// the same way) and measures it.
Measured run_measured(const std::vector<std::string>& args, const fs::path& log) {
  const char* other = std::getenv("CCCI_MEMORY_TEST_BIN");
  std::vector<std::string> argv{other ? other : CCCI_BIN};
  argv.insert(argv.end(), args.begin(), args.end());
  Fd out(::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  BOOST_TEST_REQUIRE(static_cast<bool>(out));
  SpawnOptions options;
  options.capture = false;
  options.output_fd = out.get();
  Child child = Child::spawn(argv, options);
  Measured m;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::minutes(8);
  while (!child.poll()) {
    m.ccci_hwm_kib = std::max(m.ccci_hwm_kib, vm_hwm_kib(child.pid()));
    if (std::chrono::steady_clock::now() > deadline) child.kill_group();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  m.status = *child.status();
  rusage usage{};
  ::getrusage(RUSAGE_CHILDREN, &usage);
  m.children_max_kib = usage.ru_maxrss;
  m.output = read(log);
  return m;
}

} // namespace

BOOST_AUTO_TEST_CASE(a_2_gib_sparse_file_is_backed_up_and_restored_in_bounded_memory) {
  TempTree src("memory-recipe");
  src.write("compose.yml", compose());
  src.write(".env.sample", "TYPE=memory-sparse\nDOMAIN=memory-sparse.example.com\n");
  const auto repo = fresh_dir(work / "repos-memory", "memory-sparse");
  auto made = run_logged({fs::path(CCCI_SOURCE_DIR) / "scripts" / "make-recipe-repo", src.dir().string(), repo.string(),
                          "--tags", "1.0.0+1.22.1", "--force"});
  BOOST_TEST_REQUIRE(made.ok(), made.out);
  const auto runs = fresh_dir(work / "runs", "memory-sparse");

  const auto m = run_measured({"run", "--recipe-dir", repo.string(), "--recipe", "memory-sparse", "--tiers",
                               "install,backup,restore", "--runs-dir", runs.string()},
                              runs.parent_path() / "ccci-output.txt");
  BOOST_TEST_MESSAGE(m.output);
  BOOST_TEST_MESSAGE(fmt::format("peak RSS: ccci {} KiB (sampled VmHWM); the largest of ccci and its children "
                                 "{} KiB (rusage); cap {} KiB",
                                 m.ccci_hwm_kib, m.children_max_kib, peak_rss_cap_kib));
  BOOST_TEST(m.status.exit_code == 0, m.status.describe() << "\n" << m.output);

  std::optional<RunResults> results;
  for (auto& entry : fs::directory_iterator(runs))
    if (fs::exists(entry.path() / "results.json"))
      results = results_from_json(read(entry.path() / "results.json"), entry.path().string());
  BOOST_TEST_REQUIRE(results.has_value());
  BOOST_TEST((results->tier(Tier::install).status == Status::pass), results->tier(Tier::install).reason);
  BOOST_TEST((results->tier(Tier::backup).status == Status::pass), results->tier(Tier::backup).reason);
  BOOST_TEST((results->tier(Tier::restore).status == Status::pass), results->tier(Tier::restore).reason);

  // The archive holds the file with its size (its listing, streamed), and the
  // restore post-hook found it back with that size.
  const auto run_dir = runs / results->run_id;
  const auto archive = run_dir / "backup" / (results->stack + ".tar.gz");
  ArchiveReader reader(archive, results->stack);
  const auto want = reader.volume_path("data", "sparse.bin");
  const auto entries = reader.entries();
  auto it = std::find_if(entries.begin(), entries.end(), [&](const ccci::ArchiveEntry& e) { return e.path == want; });
  BOOST_TEST_REQUIRE((it != entries.end()), want << " not in the archive");
  BOOST_TEST(it->size == sparse_size);
  // Stored sparse: the holes are not in the archive, not even compressed.
  BOOST_TEST(fs::file_size(archive) < 64u << 10, fs::file_size(archive) << " bytes");
  BOOST_TEST(reader.read(reader.volume_path("data", "small.txt"), 64).value_or("") == "small\n");
  bool restored_checked = false;
  for (auto& c : results->tier(Tier::restore).checks)
    if (c.name == "restore/post-hook:app") restored_checked = c.status == Status::pass;
  BOOST_TEST(restored_checked, "the restore post-hook did not find sparse.bin back with its size");

  // Run files hold the app's data: the run directory and the archive are private.
  BOOST_TEST(((fs::status(run_dir).permissions() & fs::perms::all) == fs::perms::owner_all));
  BOOST_TEST(
      ((fs::status(archive).permissions() & fs::perms::all) == (fs::perms::owner_read | fs::perms::owner_write)));

  // The bound: 2 GiB went through ccci twice; ccci held a fixed amount.
  BOOST_TEST(m.ccci_hwm_kib > 0);
  BOOST_TEST(m.ccci_hwm_kib <= peak_rss_cap_kib, "ccci's peak RSS " << m.ccci_hwm_kib << " KiB");
  BOOST_TEST(m.children_max_kib <= peak_rss_cap_kib, "peak RSS of ccci or a child " << m.children_max_kib << " KiB");

  BOOST_TEST(results->clean_teardown);
  auto left = leftovers_of(results->stack);
  BOOST_TEST(left.empty(), "left behind: " << (left.empty() ? "" : left.front()));
}
