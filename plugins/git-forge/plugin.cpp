// ccci checks for the example recipe git-forge: git smart HTTP (git
// http-backend behind nginx) and the recipe's own Git LFS server.
//
// Everything goes through the SDK's git helpers, which clone, push and clone
// again through the same proxy path a user takes (Host = the app's domain).
// Data: the seed pushes one LFS object whose bytes are derived from the stack
// name, so the verify (another process, after the upgrade or the restore) and
// the archive check know which bytes to look for.
#include <ccci/plugin.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace {

constexpr std::size_t round_trip_bytes = 10u << 20; // the custom check's object: 10 MiB
constexpr std::size_t seed_bytes = 1u << 20;        // the seeded object: 1 MiB
constexpr std::string_view seed_repo = "ccci/seed.git";

/// The seeded object's path in the repository.
std::string seed_file(const ccci::Context& ctx) { return "data/seed-" + ctx.stack() + ".bin"; }

/// The seeded object's bytes: a xorshift stream keyed by the stack name.
/// Incompressible enough to be a real object, and the same in every process.
std::string seed_content(const ccci::Context& ctx) {
  std::uint64_t x = 1469598103934665603ull; // FNV-1a of the stack name as the key
  for (char c : ctx.stack())
    x = (x ^ static_cast<unsigned char>(c)) * 1099511628211ull;
  std::string out(seed_bytes, '\0');
  for (auto& b : out) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    b = static_cast<char>(x & 0xff);
  }
  return out;
}

std::string seconds(double s) {
  std::string t = std::to_string(s);
  return t.substr(0, t.find('.') + 3) + "s";
}

} // namespace

// Plain git over HTTP: clone, commit, push, fresh clone has the commit.
CCCI_CHECK(install, git_roundtrip) {
  const ccci::GitRoundTrip r = ctx.git_round_trip("ccci/install.git");
  return r.ok ? ccci::pass(r.message) : ccci::fail(r.message);
}

// A 10 MiB object through the LFS API and back: sizes, SHA-256s and times
// in the message. A server without LFS (LFS_ENABLED=false) fails it with the
// server's own answer.
CCCI_CHECK(custom, lfs_roundtrip) {
  const ccci::LfsRoundTrip r = ctx.lfs_round_trip("ccci/lfs.git", round_trip_bytes);
  ctx.log("LFS round trip of " + std::to_string(r.bytes) + " bytes: push " + seconds(r.push_seconds) + ", download " +
          seconds(r.fetch_seconds) + ", total " + seconds(r.total_seconds));
  return r.ok ? ccci::pass(r.message) : ccci::fail(r.message);
}

// One LFS object named after the stack, pushed before the upgrade (or the
// backup); pushing it again is a no-op, so a second seed never duplicates it.
CCCI_SEED(lfs_object) {
  const ccci::LfsRoundTrip r = ctx.lfs_push_file(seed_repo, seed_file(ctx), seed_content(ctx));
  return r.ok ? ccci::pass(r.message) : ccci::fail("seeding the LFS object failed: " + r.message);
}

// The seeded object survived (the in-place upgrade, or the wipe and restore):
// a fresh clone downloads it through the LFS API with the seeded SHA-256.
CCCI_VERIFY(lfs_object) {
  const std::string want = ctx.sha256_hex(seed_content(ctx));
  const ccci::LfsRoundTrip r = ctx.lfs_fetch(seed_repo, seed_file(ctx), want);
  if (r.ok) return ccci::pass(r.message);
  return ccci::fail(r.message + " (after a restore: are the repos and lfs volumes in the archive? after an upgrade: "
                                "did a volume change?)");
}

// The archive holds the seed repository (repos volume) and the seeded LFS
// object with the seeded bytes (lfs volume).
CCCI_ARCHIVE_CHECK(repo_and_lfs_object) {
  const std::string head = archive.volume_path("repos", std::string(seed_repo) + "/HEAD");
  const std::string want = ctx.sha256_hex(seed_content(ctx));
  const std::string object = archive.volume_path("lfs", std::string(seed_repo) + "/objects/" + want.substr(0, 2) + "/" +
                                                            want.substr(2, 2) + "/" + want);
  auto norm = [](std::string_view p) {
    while (p.starts_with("./") || p.starts_with("/"))
      p.remove_prefix(p.starts_with("/") ? 1 : 2);
    return std::string(p);
  };
  std::optional<std::string> head_entry, object_entry;
  std::size_t repo_entries = 0;
  const std::string repo_root = norm(head).substr(0, norm(head).size() - 4); // ".../seed.git/"
  for (const auto& e : archive.entries()) {
    const std::string p = norm(e.path);
    if (p.starts_with(repo_root)) ++repo_entries;
    if (p == norm(head) && !e.directory) head_entry = e.path;
    if (p == norm(object) && !e.directory) object_entry = e.path;
  }
  if (!head_entry)
    return ccci::fail("no " + norm(head) + " in the archive (" + std::to_string(repo_entries) +
                      " entries under the seed repository): is the repos volume backed up (backupbot.backup=true on "
                      "the app service)?");
  if (!object_entry)
    return ccci::fail("the seed repository is archived (" + std::to_string(repo_entries) +
                      " entries) but its LFS "
                      "object " +
                      norm(object) + " is not: is the lfs volume backed up?");
  const std::optional<std::string> bytes = archive.read(*object_entry);
  if (!bytes) return ccci::fail("the archive lists " + *object_entry + " but it could not be read as a file");
  const std::string got = ctx.sha256_hex(*bytes);
  if (got != want)
    return ccci::fail(norm(object) + " in the archive has SHA-256 " + got + " (" + std::to_string(bytes->size()) +
                      " bytes), expected " + want + " (" + std::to_string(seed_bytes) + " bytes)");
  return ccci::pass("the archive holds the seed repository (" + std::to_string(repo_entries) + " entries under " +
                    repo_root + ") and its LFS object: " + std::to_string(bytes->size()) + " bytes, SHA-256 " + got);
}

CCCI_PLUGIN("git-forge", "git", "git-lfs", "sha256sum")
