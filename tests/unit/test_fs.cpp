// The RAII filesystem handles: TempDir, FileLock, whole-file reads and the
// atomic write. The lock is tested across real processes, since excluding
// another process (and letting go when one dies) is what it is for.
#define BOOST_TEST_MODULE fs
#include <boost/test/unit_test.hpp>

#include "model/errors.hpp"
#include "os/fs.hpp"

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <optional>
#include <stdexcept>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <type_traits>
#include <unistd.h>

namespace fs = std::filesystem;
using namespace ccci::host;

namespace {

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

void put(const fs::path& p, const std::string& text) {
  fs::create_directories(p.parent_path());
  write_file_atomically(p, text);
}

std::size_t entries(const fs::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator(dir))
    ++n;
  return n;
}

int wait_for(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Another process's try_lock on `file`: 0 it got the lock, 1 it did not,
// 2 it could not even try. It opens the file afresh, as another ccci would.
int try_lock_elsewhere(const fs::path& file) {
  pid_t pid = ::fork();
  if (pid == 0) {
    try {
      FileLock other(file);
      ::_exit(other.try_lock() ? 0 : 1);
    } catch (...) {
      ::_exit(2);
    }
  }
  return wait_for(pid);
}

// A child that takes the lock and holds it until it is killed or told to go
// (a byte on `go`); returns once the child holds it.
pid_t hold_elsewhere(const fs::path& file, int go = -1) {
  int ready[2];
  BOOST_TEST_REQUIRE(::pipe(ready) == 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(ready[0]);
    try {
      FileLock held(file);
      held.lock();
      char c = 'x';
      if (::write(ready[1], &c, 1) != 1) ::_exit(2);
      if (go >= 0 && ::read(go, &c, 1) >= 0) ::_exit(0);
      for (;;)
        ::pause();
    } catch (...) {
      ::_exit(2);
    }
  }
  ::close(ready[1]);
  char c = 0;
  BOOST_TEST_REQUIRE(::read(ready[0], &c, 1) == 1, "the child never took the lock");
  ::close(ready[0]);
  return pid;
}

} // namespace

// ----------------------------------------------------------------- TempDir

static_assert(!std::is_copy_constructible_v<TempDir> && !std::is_copy_assignable_v<TempDir>);
static_assert(std::is_nothrow_move_constructible_v<TempDir> && std::is_nothrow_move_assignable_v<TempDir>);

BOOST_AUTO_TEST_CASE(temp_dir_is_private_and_goes_with_everything_in_it) {
  fs::path made;
  {
    TempDir t("ccci-unit-fs-");
    made = t.path();
    BOOST_TEST(fs::is_directory(made));
    BOOST_TEST(made.parent_path() == fs::temp_directory_path());
    BOOST_TEST(made.filename().string().starts_with("ccci-unit-fs-"));
    BOOST_TEST(((fs::status(made).permissions() & fs::perms::all) == fs::perms::owner_all));
    put(t / "a" / "b" / "deep.txt", "x");
    put(t / "top.txt", "y");
  }
  BOOST_TEST(!made.empty());
  BOOST_TEST(!fs::exists(made));
}

BOOST_AUTO_TEST_CASE(temp_dir_goes_when_an_exception_leaves_its_scope) {
  fs::path made;
  BOOST_CHECK_THROW(([&] {
                      TempDir t("ccci-unit-fs-");
                      made = t.path();
                      put(t / "work" / "file", "half done");
                      throw std::runtime_error("the work failed");
                    }()),
                    std::runtime_error);
  BOOST_TEST(!made.empty());
  BOOST_TEST(!fs::exists(made));
}

BOOST_AUTO_TEST_CASE(temp_dir_is_made_under_the_given_parent_or_tmpdir) {
  TempDir parent("ccci-unit-fs-parent-");
  TempDir child("inner-", parent.path());
  BOOST_TEST(child.path().parent_path() == parent.path());

  // No parent given: $TMPDIR.
  const char* old = std::getenv("TMPDIR");
  std::optional<std::string> saved = old ? std::optional<std::string>(old) : std::nullopt;
  ::setenv("TMPDIR", parent.path().c_str(), 1);
  fs::path under_tmpdir;
  {
    TempDir t("via-env-");
    under_tmpdir = t.path();
  }
  if (saved)
    ::setenv("TMPDIR", saved->c_str(), 1);
  else
    ::unsetenv("TMPDIR");
  BOOST_TEST(under_tmpdir.parent_path() == parent.path());

  BOOST_CHECK_EXCEPTION(TempDir("x-", parent / "no-such-dir"), InfraFailure,
                        [&](const InfraFailure& e) { return has(e.what(), (parent / "no-such-dir").string()); });
}

BOOST_AUTO_TEST_CASE(a_moved_temp_dir_is_owned_once_and_removed_once) {
  auto make = [] {
    TempDir t("ccci-unit-fs-");
    put(t / "kept.txt", "still here");
    return t; // handed on: the directory must outlive this scope
  };
  fs::path moved, replaced;
  {
    TempDir last("ccci-unit-fs-");
    replaced = last.path();
    {
      TempDir a = make();
      moved = a.path();
      BOOST_TEST(fs::exists(moved / "kept.txt"));
      TempDir b(std::move(a));
      BOOST_TEST(a.path().empty());
      BOOST_TEST(b.path() == moved);
      last = std::move(b);
      BOOST_TEST(b.path().empty());
      BOOST_TEST(!fs::exists(replaced)); // what `last` owned before went when it took b's
    }                                    // a and b, moved from, go here and must not take `moved` with them
    BOOST_TEST(last.path() == moved);
    BOOST_TEST(fs::exists(moved / "kept.txt"));
  }
  BOOST_TEST(!fs::exists(moved));
}

// ---------------------------------------------------------------- FileLock

static_assert(!std::is_copy_constructible_v<FileLock> && !std::is_copy_assignable_v<FileLock>);

BOOST_AUTO_TEST_CASE(another_process_cannot_take_a_held_lock_and_can_after_release) {
  TempDir d("ccci-unit-fs-");
  auto file = d / "lock";
  std::optional<FileLock> mine(std::in_place, file);
  BOOST_TEST(!mine->owns_lock());
  BOOST_TEST(try_lock_elsewhere(file) == 0); // opening alone locks nothing

  BOOST_TEST_REQUIRE(mine->try_lock());
  BOOST_TEST(mine->owns_lock());
  BOOST_TEST(mine->holder() == std::to_string(::getpid()));
  BOOST_TEST(try_lock_elsewhere(file) == 1);
  mine->unlock();
  BOOST_TEST(!mine->owns_lock());
  BOOST_TEST(try_lock_elsewhere(file) == 0);

  // Released with the FileLock, and with the one it was moved into.
  mine->lock();
  BOOST_TEST(try_lock_elsewhere(file) == 1);
  FileLock moved(std::move(*mine));
  BOOST_TEST(moved.owns_lock());
  mine.reset(); // the moved-from one lets go of nothing
  BOOST_TEST(try_lock_elsewhere(file) == 1);
  { [[maybe_unused]] FileLock gone = std::move(moved); }
  BOOST_TEST(try_lock_elsewhere(file) == 0);
}

BOOST_AUTO_TEST_CASE(try_lock_fails_while_another_process_holds_it_and_the_holders_death_releases_it) {
  TempDir d("ccci-unit-fs-");
  auto file = d / "lock";
  pid_t holder = hold_elsewhere(file);
  FileLock mine(file);
  BOOST_TEST(!mine.try_lock());
  BOOST_TEST(!mine.owns_lock());
  BOOST_TEST(mine.holder() == std::to_string(holder)); // who is in the way, for a refusal message
  ::kill(holder, SIGKILL);
  BOOST_TEST(wait_for(holder) == 128 + SIGKILL);
  BOOST_TEST(mine.try_lock()); // no unlock ran: the kernel let go
}

BOOST_AUTO_TEST_CASE(lock_waits_for_the_holder_to_let_go) {
  TempDir d("ccci-unit-fs-");
  auto file = d / "lock";
  int go[2];
  BOOST_TEST_REQUIRE(::pipe(go) == 0);
  pid_t holder = hold_elsewhere(file, go[0]);
  std::atomic<bool> released{false};
  std::thread release([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    released = true;
    char c = 'g';
    if (::write(go[1], &c, 1) != 1) ::kill(holder, SIGKILL); // a dead holder lets go too
  });
  FileLock mine(file);
  mine.lock();
  BOOST_TEST(released.load(), "lock() returned while another process held the lock");
  BOOST_TEST(mine.owns_lock());
  release.join();
  BOOST_TEST(wait_for(holder) == 0);
  ::close(go[0]);
  ::close(go[1]);
}

// The sweep's integration test holds the lock with flock(1); the two must
// exclude each other.
BOOST_AUTO_TEST_CASE(the_lock_excludes_flock_1_on_the_same_file) {
  TempDir d("ccci-unit-fs-");
  auto file = d / "lock";
  auto flock_n = "flock -n '" + file.string() + "' true";
  FileLock mine(file);
  BOOST_TEST_REQUIRE(mine.try_lock());
  int held = std::system(flock_n.c_str());
  BOOST_TEST((WIFEXITED(held) && WEXITSTATUS(held) == 1), "flock -n got a lock this process holds: " << held);
  mine.unlock();
  BOOST_TEST(std::system(flock_n.c_str()) == 0);
}

// The sweep starts child `ccci run`s while it holds its lock: they must not
// keep it alive after the sweep is gone.
BOOST_AUTO_TEST_CASE(a_program_started_while_the_lock_is_held_does_not_keep_it) {
  TempDir d("ccci-unit-fs-");
  auto file = d / "lock";
  std::optional<FileLock> mine(std::in_place, file);
  BOOST_TEST_REQUIRE(mine->try_lock());
  // The exec is seen when a close-on-exec pipe's write end closes.
  int exec_seen[2];
  BOOST_TEST_REQUIRE(::pipe2(exec_seen, O_CLOEXEC) == 0);
  pid_t child = ::fork();
  if (child == 0) {
    ::execlp("sleep", "sleep", "60", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  ::close(exec_seen[1]);
  char c;
  BOOST_TEST(::read(exec_seen[0], &c, 1) == 0);
  ::close(exec_seen[0]);
  mine.reset();
  BOOST_TEST(try_lock_elsewhere(file) == 0, "the started program still holds the lock");
  ::kill(child, SIGKILL);
  wait_for(child);
}

BOOST_AUTO_TEST_CASE(a_lock_file_that_cannot_be_opened_is_named) {
  BOOST_CHECK_EXCEPTION(FileLock("/nonexistent-ccci-dir/lock"), InfraFailure,
                        [](const InfraFailure& e) { return has(e.what(), "/nonexistent-ccci-dir/lock"); });
}

// ------------------------------------------------------------- whole files

BOOST_AUTO_TEST_CASE(read_file_reads_every_byte) {
  TempDir d("ccci-unit-fs-");
  std::string bytes;
  for (int i = 0; i < 3 * 65536 + 7; ++i) // more than one read's buffer, NULs included
    bytes.push_back(static_cast<char>(i % 251));
  put(d / "data.bin", bytes);
  BOOST_TEST(read_file(d / "data.bin") == bytes);
  put(d / "empty", "");
  BOOST_TEST(read_file(d / "empty").empty());
}

BOOST_AUTO_TEST_CASE(read_file_names_the_file_it_cannot_read) {
  TempDir d("ccci-unit-fs-");
  auto missing = d / "missing.yml";
  BOOST_CHECK_EXCEPTION(read_file(missing), InfraFailure, [&](const InfraFailure& e) {
    return has(e.what(), missing.string()) && has(e.what(), "No such file");
  });
  BOOST_CHECK_EXCEPTION(read_file(d.path()), InfraFailure,
                        [&](const InfraFailure& e) { return has(e.what(), d.path().string()); });
  std::error_code ec;
  BOOST_TEST(read_file(missing, ec).empty());
  BOOST_TEST((ec == std::errc::no_such_file_or_directory), ec.message());
  put(d / "there", "text");
  BOOST_TEST(read_file(d / "there", ec) == "text");
  BOOST_TEST(!ec);
}

BOOST_AUTO_TEST_CASE(atomic_write_replaces_whole_and_leaves_no_temp_file) {
  TempDir d("ccci-unit-fs-");
  auto file = d / "results.json";
  write_file_atomically(file, "first");
  write_file_atomically(file, "{\"second\": true}\n");
  BOOST_TEST(read_file(file) == "{\"second\": true}\n");
  BOOST_TEST(entries(d.path()) == 1u);
}

BOOST_AUTO_TEST_CASE(a_reader_sees_the_old_content_or_the_new_never_a_torn_one) {
  TempDir d("ccci-unit-fs-");
  auto file = d / "state.json";
  // Large enough that a write in place would be seen half done.
  const std::string old_text(1 << 20, 'o'), new_text(1 << 20, 'n');
  write_file_atomically(file, old_text);
  pid_t writer = ::fork();
  if (writer == 0) {
    try {
      for (int i = 0;; ++i)
        write_file_atomically(file, i % 2 ? old_text : new_text);
    } catch (...) {
      ::_exit(2);
    }
  }
  int reads = 0, torn = 0;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (std::chrono::steady_clock::now() < until) {
    auto text = read_file(file);
    ++reads;
    if (text != old_text && text != new_text) ++torn;
  }
  ::kill(writer, SIGKILL);
  wait_for(writer);
  BOOST_TEST(reads > 10);
  BOOST_TEST(torn == 0, torn << " of " << reads << " reads saw neither the old nor the new content");
  // Killed at any instant, the writer leaves one or the other.
  auto last = read_file(file);
  BOOST_TEST((last == old_text || last == new_text));
}

BOOST_AUTO_TEST_CASE(a_failed_atomic_write_leaves_the_old_file_and_no_temp_file) {
  TempDir d("ccci-unit-fs-");
  // A directory where the file should be: the rename fails.
  fs::create_directories(d / "taken" / "inside");
  BOOST_CHECK_EXCEPTION(write_file_atomically(d / "taken", "new"), InfraFailure,
                        [&](const InfraFailure& e) { return has(e.what(), (d / "taken").string()); });
  BOOST_TEST(fs::is_directory(d / "taken" / "inside"));
  BOOST_TEST(entries(d.path()) == 1u);
  BOOST_CHECK_EXCEPTION(write_file_atomically(d / "no-such-dir" / "f", "x"), InfraFailure,
                        [&](const InfraFailure& e) { return has(e.what(), (d / "no-such-dir").string()); });
}

// ------------------------------------------------------------- modes

namespace {
unsigned mode_of(const fs::path& p) {
  struct stat st {};
  if (::stat(p.c_str(), &st) != 0) throw std::runtime_error("cannot stat " + p.string());
  return st.st_mode & 07777;
}

// The umask the test runs under must not decide the modes asserted below.
struct WideUmask {
  WideUmask() : before(::umask(0)) {}
  ~WideUmask() { ::umask(before); }
  mode_t before;
};
} // namespace

BOOST_AUTO_TEST_CASE(an_atomically_written_new_file_is_private_and_a_rewrite_keeps_the_mode) {
  WideUmask wide;
  TempDir d("ccci-unit-fs-");
  write_file_atomically(d / "results.json", "{}");
  BOOST_TEST(mode_of(d / "results.json") == 0600u);
  write_file_atomically(d / "shared.txt", "x", 0644);
  BOOST_TEST(mode_of(d / "shared.txt") == 0644u);
  // A file an operator made 0640 stays 0640 through a rewrite, and a private
  // one does not become readable.
  fs::permissions(d / "shared.txt", fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read);
  write_file_atomically(d / "shared.txt", "y", 0644);
  BOOST_TEST(mode_of(d / "shared.txt") == 0640u);
  write_file_atomically(d / "results.json", "{\"again\": 1}", 0644);
  BOOST_TEST(mode_of(d / "results.json") == 0600u);
  BOOST_TEST(read_file(d / "results.json") == "{\"again\": 1}");
}

BOOST_AUTO_TEST_CASE(private_directories_are_0700_made_or_found) {
  WideUmask wide;
  TempDir d("ccci-unit-fs-");
  create_private_directories(d / "runs" / "run-1" / "backup");
  for (auto p : {d / "runs", d / "runs" / "run-1", d / "runs" / "run-1" / "backup"})
    BOOST_TEST(mode_of(p) == 0700u, p.string());
  fs::create_directories(d / "open");
  fs::permissions(d / "open", fs::perms::all);
  create_private_directories(d / "open");
  BOOST_TEST(mode_of(d / "open") == 0700u);
  put(d / "a-file", "x");
  BOOST_CHECK_EXCEPTION(create_private_directories(d / "a-file" / "below"), InfraFailure,
                        [&](const InfraFailure& e) { return has(e.what(), (d / "a-file").string()); });
}

BOOST_AUTO_TEST_CASE(two_processes_writing_one_file_never_share_a_temp_file) {
  TempDir d("ccci-unit-fs-");
  auto file = d / "registry.json";
  const std::string a(256 << 10, 'a'), b(256 << 10, 'b');
  // Each writer's temp name is unique per process and call: with a shared
  // name one writer's rename would move the other's half-written file into
  // place, or the other's open would fail.
  auto writer = [&](const std::string& text) {
    pid_t pid = ::fork();
    if (pid == 0) {
      try {
        for (int i = 0; i < 200; ++i)
          write_file_atomically(file, text);
      } catch (...) {
        ::_exit(2);
      }
      ::_exit(0);
    }
    return pid;
  };
  pid_t one = writer(a), two = writer(b);
  int torn = 0;
  for (int i = 0; i < 200; ++i) {
    std::error_code ec;
    auto text = read_file(file, ec);
    if (!ec && text != a && text != b) ++torn;
  }
  int s1 = 0, s2 = 0;
  ::waitpid(one, &s1, 0);
  ::waitpid(two, &s2, 0);
  BOOST_TEST((WIFEXITED(s1) && WEXITSTATUS(s1) == 0));
  BOOST_TEST((WIFEXITED(s2) && WEXITSTATUS(s2) == 0));
  BOOST_TEST(torn == 0);
  auto last = read_file(file);
  BOOST_TEST((last == a || last == b));
  BOOST_TEST(entries(d.path()) == 1u); // no temp file left by either
}
