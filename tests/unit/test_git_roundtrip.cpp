// The SDK's git helpers against real git and git-lfs on local bare
// repositories (file:// URLs; git-lfs moves objects with its standalone file
// transfer): what they report when things go right, and when a push is
// refused, a clone gets only the pointer, or the bytes are not the expected.
#define BOOST_TEST_MODULE git_roundtrip
#include <boost/test/unit_test.hpp>

#include "os/process.hpp"
#include "plugin/git_roundtrip.hpp"
#include "support/files.hpp"

#include <filesystem>
#include <fstream>
#include <set>

namespace fs = std::filesystem;
using namespace ccci::host;

namespace {

bool have_git_lfs() { return find_on_path("git-lfs").has_value(); }

// The helpers' temporary directories now present.
std::set<fs::path> helper_temp_dirs() {
  std::set<fs::path> out;
  for (auto& e : fs::directory_iterator(fs::temp_directory_path()))
    if (e.path().filename().string().starts_with("ccci-git-")) out.insert(e.path());
  return out;
}

// A bare repository in a fresh directory, removed at the end of the test.
struct BareRepo {
  ccci::test::TempTree root{"test-remote"};
  fs::path dir = root / "remote.git";
  BareRepo() {
    ProcessOptions o;
    o.extra_env = {"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null"};
    auto r = run_process({"git", "init", "--quiet", "--bare", "-b", "main", dir.string()}, o);
    BOOST_TEST_REQUIRE(r.ok(), r.err);
  }
  GitRemote remote() const { return {"file://" + dir.string(), "", std::chrono::seconds(120)}; }
  void hook(const std::string& name, const std::string& script) const {
    auto p = dir / "hooks" / name;
    ccci::test::write(p, script);
    fs::permissions(p, fs::perms::owner_all);
  }
};

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

} // namespace

BOOST_AUTO_TEST_CASE(name_matching_follows_the_track_pattern) {
  BOOST_TEST(name_matching("*.bin", "x") == "x.bin");
  BOOST_TEST(name_matching("assets/*.dat", "x") == "assets/x.dat");
  BOOST_TEST(name_matching("big?.bin", "x") == "bigx.bin");
  BOOST_TEST(name_matching("/lfs/", "x") == "lfs/x");
}

BOOST_AUTO_TEST_CASE(remote_through_the_edge_uses_it_as_a_proxy) {
  auto edge = git_remote_for({"http://127.0.0.1:8480", "forge-1a2b.ccci.test"}, "/ccci/x.git");
  BOOST_TEST(edge.url == "http://forge-1a2b.ccci.test/ccci/x.git");
  BOOST_TEST(edge.proxy == "http://127.0.0.1:8480");
  auto traefik = git_remote_for({"https://forge.example.org", "forge.example.org"}, "ccci/x.git");
  BOOST_TEST(traefik.url == "https://forge.example.org/ccci/x.git");
  BOOST_TEST(traefik.proxy.empty());
}

BOOST_AUTO_TEST_CASE(sha256_matches_the_known_vectors) {
  BOOST_TEST(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  BOOST_TEST(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

BOOST_AUTO_TEST_CASE(git_round_trip_passes_and_leaves_no_temporary_directory) {
  BareRepo repo;
  auto before = helper_temp_dirs();
  auto r = git_round_trip(repo.remote());
  BOOST_TEST(r.ok, r.message);
  BOOST_TEST(r.commit.size() == 40u);
  BOOST_TEST(contains(r.message, r.commit.substr(0, 12)), r.message);
  auto after = helper_temp_dirs();
  for (auto& d : after)
    BOOST_TEST(before.count(d) == 1u, "left behind: " << d);
}

BOOST_AUTO_TEST_CASE(refused_push_reports_the_servers_words) {
  BareRepo repo;
  repo.hook("pre-receive", "#!/bin/sh\necho 'ccci-test: this forge is read-only today' >&2\nexit 1\n");
  auto r = git_round_trip(repo.remote());
  BOOST_TEST(!r.ok);
  BOOST_TEST(contains(r.message, "was refused"), r.message);
  BOOST_TEST(contains(r.message, "ccci-test: this forge is read-only today"), r.message);
  if (!have_git_lfs()) return;
  auto l = lfs_round_trip(repo.remote(), 4096, "*.bin");
  BOOST_TEST(!l.ok);
  BOOST_TEST(contains(l.message, "was refused"), l.message);
  BOOST_TEST(contains(l.message, "read-only today"), l.message);
  BOOST_TEST(l.sha256_pushed.size() == 64u);
}

BOOST_AUTO_TEST_CASE(lfs_round_trip_stores_a_pointer_and_gets_the_bytes_back) {
  if (!have_git_lfs()) {
    BOOST_TEST_MESSAGE("git-lfs not on PATH: skipped");
    return;
  }
  BareRepo repo;
  auto r = lfs_round_trip(repo.remote(), 256 * 1024, "*.bin");
  BOOST_TEST(r.ok, r.message);
  BOOST_TEST(r.pointer_in_repo);
  BOOST_TEST(r.bytes == 256u * 1024u);
  BOOST_TEST(r.cloned_bytes == r.bytes);
  BOOST_TEST(r.sha256_pushed == r.sha256_cloned);
  BOOST_TEST(r.file.ends_with(".bin"));
  BOOST_TEST(contains(r.message, r.sha256_pushed), r.message);
  // The object went through LFS: the remote's LFS store holds it.
  auto stored =
      repo.dir / "lfs" / "objects" / r.sha256_pushed.substr(0, 2) / r.sha256_pushed.substr(2, 2) / r.sha256_pushed;
  BOOST_TEST(fs::exists(stored), stored);
}

BOOST_AUTO_TEST_CASE(pushing_the_same_file_twice_is_a_pass_and_no_new_commit) {
  if (!have_git_lfs()) return;
  BareRepo repo;
  auto first = lfs_push_file(repo.remote(), "data/seed.bin", "seed bytes\n");
  BOOST_TEST(first.ok, first.message);
  auto second = lfs_push_file(repo.remote(), "data/seed.bin", "seed bytes\n");
  BOOST_TEST(second.ok, second.message);
  BOOST_TEST(contains(second.message, "already there"), second.message);
}

BOOST_AUTO_TEST_CASE(pointer_only_clone_is_reported) {
  if (!have_git_lfs()) return;
  BareRepo repo;
  auto pushed = lfs_push_file(repo.remote(), "data/seed.bin", std::string(70000, 'x'));
  BOOST_TEST_REQUIRE(pushed.ok, pushed.message);
  // The server keeps the commit (and so the pointer) but loses the object.
  fs::remove_all(repo.dir / "lfs");
  auto r = lfs_fetch(repo.remote(), "data/seed.bin", pushed.sha256_pushed);
  BOOST_TEST(!r.ok);
  BOOST_TEST(r.pointer_in_repo);
  BOOST_TEST(contains(r.message, "holds only the LFS pointer"), r.message);
  BOOST_TEST(contains(r.message, pushed.sha256_pushed), r.message);
}

BOOST_AUTO_TEST_CASE(hash_mismatch_names_both_hashes) {
  if (!have_git_lfs()) return;
  BareRepo repo;
  auto pushed = lfs_push_file(repo.remote(), "data/seed.bin", "what was pushed\n");
  BOOST_TEST_REQUIRE(pushed.ok, pushed.message);
  auto expected = sha256_hex("what the verify expected\n");
  auto r = lfs_fetch(repo.remote(), "data/seed.bin", expected);
  BOOST_TEST(!r.ok);
  BOOST_TEST(contains(r.message, "SHA-256 mismatch"), r.message);
  BOOST_TEST(contains(r.message, expected), r.message);
  BOOST_TEST(contains(r.message, pushed.sha256_pushed), r.message);
  BOOST_TEST(r.sha256_cloned == pushed.sha256_pushed);
}

BOOST_AUTO_TEST_CASE(a_file_committed_without_lfs_is_not_taken_for_an_lfs_object) {
  if (!have_git_lfs()) return;
  BareRepo repo;
  // Plain git round trip first: the repository then has a plain text file.
  auto plain = git_round_trip(repo.remote());
  BOOST_TEST_REQUIRE(plain.ok, plain.message);
  // The helper's file name is random: ask the repository.
  ProcessOptions o;
  o.extra_env = {"GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null"};
  auto ls = run_process({"git", "--git-dir", repo.dir.string(), "ls-tree", "-r", "--name-only", "main"}, o);
  BOOST_TEST_REQUIRE(ls.ok(), ls.err);
  auto file = ls.out.substr(0, ls.out.find('\n'));
  auto r = lfs_fetch(repo.remote(), file, "");
  BOOST_TEST(!r.ok);
  BOOST_TEST(!r.pointer_in_repo);
  BOOST_TEST(contains(r.message, "not a Git LFS pointer"), r.message);
}

BOOST_AUTO_TEST_CASE(missing_repository_is_a_clone_failure_not_an_exception) {
  GitRemote remote{"file:///nonexistent/ccci/none.git", "", std::chrono::seconds(30)};
  auto r = git_round_trip(remote);
  BOOST_TEST(!r.ok);
  BOOST_TEST(contains(r.message, "cloning file:///nonexistent/ccci/none.git failed"), r.message);
}
