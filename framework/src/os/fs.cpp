#include "os/fs.hpp"

#include "model/errors.hpp"

#include <fmt/format.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace fs = std::filesystem;

namespace ccci::host {

namespace {

std::string errno_text(int e) { return std::strerror(e); }

// Retries the calls a signal handler (SIGINT/SIGTERM, see os/process.hpp) can
// interrupt: an interrupted teardown still has to take its locks and write.
template <typename Call>
auto retry_on_eintr(Call call) {
  for (;;) {
    auto r = call();
    if (r >= 0 || errno != EINTR) return r;
  }
}

void write_all(int fd, std::string_view content, const fs::path& shown) {
  std::size_t off = 0;
  while (off < content.size()) {
    auto w = retry_on_eintr([&] { return ::write(fd, content.data() + off, content.size() - off); });
    if (w < 0) throw InfraFailure(fmt::format("cannot write {}: {}", shown.string(), errno_text(errno)));
    off += static_cast<std::size_t>(w);
  }
}

} // namespace

// ----------------------------------------------------------------- TempDir

TempDir::TempDir(std::string_view prefix, const fs::path& parent) {
  fs::path under = parent;
  if (under.empty()) {
    std::error_code ec;
    under = fs::temp_directory_path(ec);
    if (ec)
      throw InfraFailure(
          fmt::format("cannot find the temporary directory: {}; set TMPDIR to a writable directory", ec.message()));
  }
  std::string pattern = (under / fmt::format("{}XXXXXX", prefix)).string();
  if (!::mkdtemp(pattern.data()))
    throw InfraFailure(fmt::format("cannot create a temporary directory under {}: {}; check that it exists and is "
                                   "writable (TMPDIR)",
                                   under.string(), errno_text(errno)));
  path_ = pattern;
}

TempDir::~TempDir() { remove(); }

TempDir::TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    remove();
    path_ = std::exchange(other.path_, {});
  }
  return *this;
}

void TempDir::remove() noexcept {
  if (path_.empty()) return;
  // A destructor cannot report; what is left is in the temporary directory,
  // named after its maker.
  std::error_code ec;
  fs::remove_all(path_, ec);
  path_.clear();
}

// ---------------------------------------------------------------- FileLock

FileLock::FileLock(fs::path path) : path_(std::move(path)) {
  fd_ = retry_on_eintr([&] { return ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644); });
  if (fd_ < 0) throw InfraFailure(fmt::format("cannot open the lock file {}: {}", path_.string(), errno_text(errno)));
}

FileLock::~FileLock() { close(); }

FileLock::FileLock(FileLock&& other) noexcept
    : path_(std::move(other.path_)), fd_(std::exchange(other.fd_, -1)), owned_(std::exchange(other.owned_, false)) {}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    close();
    path_ = std::move(other.path_);
    fd_ = std::exchange(other.fd_, -1);
    owned_ = std::exchange(other.owned_, false);
  }
  return *this;
}

void FileLock::close() noexcept {
  if (fd_ >= 0) ::close(fd_); // closing the last descriptor of the open file releases the flock
  fd_ = -1;
  owned_ = false;
}

void FileLock::lock() {
  if (fd_ < 0) throw InfraFailure("lock() on a moved-from FileLock");
  if (retry_on_eintr([&] { return ::flock(fd_, LOCK_EX); }) != 0)
    throw InfraFailure(fmt::format("cannot lock {}: {}", path_.string(), errno_text(errno)));
  owned_ = true;
  record_holder();
}

bool FileLock::try_lock() {
  if (fd_ < 0) throw InfraFailure("try_lock() on a moved-from FileLock");
  if (retry_on_eintr([&] { return ::flock(fd_, LOCK_EX | LOCK_NB); }) != 0) {
    if (errno == EWOULDBLOCK) return false;
    throw InfraFailure(fmt::format("cannot lock {}: {}", path_.string(), errno_text(errno)));
  }
  owned_ = true;
  record_holder();
  return true;
}

void FileLock::unlock() noexcept {
  if (fd_ >= 0 && owned_) ::flock(fd_, LOCK_UN);
  owned_ = false;
}

void FileLock::record_holder() noexcept {
  auto pid = std::to_string(::getpid());
  if (::ftruncate(fd_, 0) == 0 && ::pwrite(fd_, pid.data(), pid.size(), 0) < 0) {
    // The pid only helps a refusal message name the holder; the lock holds anyway.
  }
}

std::string FileLock::holder() const {
  if (fd_ < 0) return "";
  char buf[32] = {};
  auto n = ::pread(fd_, buf, sizeof buf - 1, 0);
  return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : "";
}

// ------------------------------------------------------------- whole files

std::string read_file(const fs::path& path, std::error_code& ec) {
  ec.clear();
  int fd = retry_on_eintr([&] { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC); });
  if (fd < 0) {
    ec.assign(errno, std::generic_category());
    return "";
  }
  // Read to the end rather than trusting the size fstat reports: /proc files
  // and pipes report none.
  std::string out;
  char buf[1 << 16];
  for (;;) {
    auto n = retry_on_eintr([&] { return ::read(fd, buf, sizeof buf); });
    if (n < 0) {
      ec.assign(errno, std::generic_category());
      ::close(fd);
      return "";
    }
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

std::string read_file(const fs::path& path) {
  std::error_code ec;
  auto text = read_file(path, ec);
  if (ec) throw InfraFailure(fmt::format("cannot read {}: {}", path.string(), ec.message()));
  return text;
}

void write_file_atomically(const fs::path& path, std::string_view content, unsigned new_file_mode) {
  static std::atomic<unsigned long> calls{0};
  auto tmp = path;
  tmp += fmt::format(".tmp.{}.{}", ::getpid(), calls++);
  struct stat before {};
  const mode_t mode =
      ::stat(path.c_str(), &before) == 0 ? (before.st_mode & 07777) : static_cast<mode_t>(new_file_mode);
  // O_EXCL: a temp name left by a writer that died is never written through.
  int fd = retry_on_eintr([&] { return ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600); });
  if (fd < 0) throw InfraFailure(fmt::format("cannot write {}: {}", tmp.string(), errno_text(errno)));
  // Explicitly: the umask must not widen or narrow what the file had.
  if (::fchmod(fd, mode) != 0) {
    int e = errno;
    ::close(fd);
    ::unlink(tmp.c_str());
    throw InfraFailure(fmt::format("cannot set the mode of {}: {}", tmp.string(), errno_text(e)));
  }
  try {
    write_all(fd, content, tmp);
    // Without the fsync a crash after the rename can leave the new name on
    // an empty file: exactly the torn state this function exists to prevent.
    if (::fsync(fd) != 0) throw InfraFailure(fmt::format("cannot sync {}: {}", tmp.string(), errno_text(errno)));
  } catch (...) {
    ::close(fd);
    ::unlink(tmp.c_str());
    throw;
  }
  // Linux closes the descriptor even when close() reports EINTR.
  if (::close(fd) != 0 && errno != EINTR) {
    int e = errno;
    ::unlink(tmp.c_str());
    throw InfraFailure(fmt::format("cannot write {}: {}", tmp.string(), errno_text(e)));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    throw InfraFailure(fmt::format("cannot rename {} to {}: {}", tmp.string(), path.string(), errno_text(e)));
  }
  int dfd = ::open(path.parent_path().empty() ? "." : path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
}

void create_private_directories(const fs::path& dir) {
  std::error_code ec;
  fs::path so_far;
  for (const auto& part : dir) {
    so_far /= part;
    if (so_far == so_far.root_path()) continue;
    if (::mkdir(so_far.c_str(), 0700) != 0 && errno != EEXIST)
      throw InfraFailure(fmt::format("cannot create the directory {}: {}", so_far.string(), errno_text(errno)));
  }
  if (::chmod(dir.c_str(), 0700) != 0)
    throw InfraFailure(fmt::format("cannot make {} private (mode 0700): {}", dir.string(), errno_text(errno)));
}

} // namespace ccci::host
