#include "plugin/git_roundtrip.hpp"

#include "model/errors.hpp"
#include "model/naming.hpp"
#include "os/fs.hpp"
#include "os/ownership.hpp"
#include "os/process.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>

#include <cstdlib>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>

namespace fs = std::filesystem;
namespace json = boost::json;

namespace ccci::host {

namespace {

using Clock = std::chrono::steady_clock;

double since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

constexpr std::string_view pointer_header = "version https://git-lfs.github.com/spec/v1";

// A helper's private directory. Failing to make one is the machine's fault,
// not the app's: an InfraError, so the plugin's check is unver, not fail.
TempDir helper_temp_dir() {
  try {
    return owned_temp_dir("ccci-git-");
  } catch (const InfraFailure& e) {
    throw InfraError(e.what());
  }
}

void write_text(const fs::path& p, std::string_view text) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!out) throw InfraError(fmt::format("cannot write {}", p.string()));
}

std::string read_prefix(const fs::path& p, std::size_t n) {
  std::ifstream in(p, std::ios::binary);
  std::string out(n, '\0');
  in.read(out.data(), static_cast<std::streamsize>(n));
  out.resize(static_cast<std::size_t>(in.gcount()));
  return out;
}

// The last few meaningful lines of git's stderr on one line: that is where
// git, git-lfs and the server (as "remote: ...") say what went wrong.
std::string tail_of(const std::string& text, std::size_t max_lines = 6) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (auto cr = line.rfind('\r'); cr != std::string::npos) line = line.substr(cr + 1); // progress meters
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t'))
      line.pop_back();
    // Hints and git-lfs progress meters say nothing about the failure.
    if (line.empty() || line.starts_with("hint:") || line.starts_with("Uploading LFS objects:") ||
        line.starts_with("Downloading LFS objects:"))
      continue;
    lines.push_back(line);
  }
  std::string out;
  for (std::size_t i = lines.size() > max_lines ? lines.size() - max_lines : 0; i < lines.size(); ++i)
    out += (out.empty() ? "" : " | ") + lines[i];
  if (out.size() > 1200) out = "..." + out.substr(out.size() - 1200);
  return out.empty() ? "(git said nothing)" : out;
}

std::string human_size(std::uint64_t bytes) {
  if (bytes >= (1u << 20)) return fmt::format("{} bytes ({:.1f} MiB)", bytes, static_cast<double>(bytes) / (1u << 20));
  if (bytes >= 1024) return fmt::format("{} bytes ({:.1f} KiB)", bytes, static_cast<double>(bytes) / 1024);
  return fmt::format("{} bytes", bytes);
}

/// The LFS API of a git URL, as git-lfs derives it.
std::string lfs_endpoint(const std::string& url) {
  std::string base = url;
  while (!base.empty() && base.back() == '/')
    base.pop_back();
  return base.ends_with(".git") ? base + "/info/lfs" : base + ".git/info/lfs";
}

struct Pointer {
  bool valid = false;
  std::string oid; ///< sha256 hex
  std::uint64_t size = 0;
};

Pointer parse_pointer(const std::string& text) {
  Pointer p;
  if (!text.starts_with(pointer_header)) return p;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("oid sha256:")) p.oid = line.substr(11);
    if (line.starts_with("size ")) p.size = std::strtoull(line.c_str() + 5, nullptr, 10);
  }
  p.valid = !p.oid.empty();
  return p;
}

// One helper call's git: a private HOME and global config in a temporary
// directory, no prompts, no system config, C locale (stable messages).
class GitSession {
public:
  explicit GitSession(const GitRemote& remote, bool lfs) : remote_(remote) {
    if (!find_on_path("git"))
      throw InfraError("git is not on PATH: install it and declare it in CCCI_PLUGIN(\"<recipe>\", \"git\")");
    if (lfs && !find_on_path("git-lfs"))
      throw InfraError("git-lfs is not on PATH: install it (Debian: apt-get install git-lfs) and declare it in "
                       "CCCI_PLUGIN(\"<recipe>\", \"git\", \"git-lfs\")");
    fs::create_directories(tmp_.path() / "home");
    write_text(tmp_.path() / "gitconfig", config());
    env_ = {"HOME=" + (tmp_.path() / "home").string(),
            "XDG_CONFIG_HOME=" + (tmp_.path() / "home" / ".config").string(),
            "GIT_CONFIG_GLOBAL=" + (tmp_.path() / "gitconfig").string(),
            "GIT_CONFIG_NOSYSTEM=1",
            "GIT_TERMINAL_PROMPT=0",
            "GIT_ASKPASS=",
            "SSH_ASKPASS=",
            "GCM_INTERACTIVE=never",
            "LC_ALL=C",
            "LANGUAGE="};
    if (!remote_.proxy.empty())
      for (auto* k : {"http_proxy=", "HTTP_PROXY="})
        env_.push_back(k + remote_.proxy);
    if (!remote_.proxy.empty())
      for (auto* k : {"no_proxy=", "NO_PROXY="})
        env_.push_back(k);
  }

  fs::path dir(std::string_view name) const { return tmp_.path() / name; }
  const std::string& url() const { return remote_.url; }

  /// Runs git with `args` in `cwd`; `skip_smudge` leaves LFS files as their
  /// pointers on checkout (the LFS download is then its own, timed step).
  ProcessResult git(const std::vector<std::string>& args, const fs::path& cwd, bool skip_smudge = false) const {
    std::vector<std::string> argv{"git"};
    argv.insert(argv.end(), args.begin(), args.end());
    ProcessOptions o;
    o.cwd = cwd;
    o.timeout = remote_.step_timeout;
    o.extra_env = env_;
    o.extra_env.push_back(skip_smudge ? "GIT_LFS_SKIP_SMUDGE=1" : "GIT_LFS_SKIP_SMUDGE=0");
    try {
      return run_process(argv, o);
    } catch (const InfraFailure& e) {
      throw InfraError(e.what());
    }
  }

  /// "`git push` to URL failed (exit 1): <git's words>".
  std::string failed(std::string_view what, const ProcessResult& r) const {
    return fmt::format("`{}` failed ({}): {}", what, r.describe(), tail_of(r.err + "\n" + r.out));
  }

  /// The LFS batch API's own answer for one object, in words ("" when the
  /// remote is not HTTP), and whether it refused LFS outright. Asked after a
  /// failed LFS transfer so the message carries what the server said, not
  /// only how git-lfs took it.
  struct Probe {
    bool refused = false;
    std::string text;
  };
  Probe probe_batch(std::string_view operation, const Pointer& object) const {
    if (!remote_.url.starts_with("http")) return {};
    HttpRequest req;
    req.method = "POST";
    req.url = lfs_endpoint(remote_.url) + "/objects/batch";
    req.proxy = remote_.proxy;
    req.headers = {"Accept: application/vnd.git-lfs+json", "Content-Type: application/vnd.git-lfs+json"};
    req.body = json::serialize(
        json::object{{"operation", operation},
                     {"transfers", json::array{"basic"}},
                     {"objects", json::array{json::object{{"oid", object.oid}, {"size", object.size}}}}});
    HttpResponse r;
    try {
      r = http_send(req);
    } catch (const InfraError& e) {
      return {false, fmt::format("the LFS batch API did not answer: {}", e.what())};
    }
    std::string said = r.body.substr(0, 300);
    std::optional<std::string> object_error;
    try {
      auto v = json::parse(r.body);
      if (auto* m = v.as_object().if_contains("message")) said = std::string(m->as_string());
      if (auto* objs = v.as_object().if_contains("objects"); objs && !objs->as_array().empty())
        if (auto* err = objs->as_array()[0].as_object().if_contains("error")) object_error = json::serialize(*err);
    } catch (const std::exception&) {
      // Not JSON: the raw body is the server's answer.
    }
    while (!said.empty() && (said.back() == '\n' || said.back() == '\r'))
      said.pop_back();
    if (r.status < 200 || r.status >= 300)
      return {true, fmt::format("the server does not serve Git LFS for this repository: POST {} answered {}: {}",
                                req.url, r.status, said.empty() ? "(empty body)" : said)};
    if (object_error)
      return {false, fmt::format("POST {} answered {} with an error for object {}: {}", req.url, r.status, object.oid,
                                 *object_error)};
    return {false, fmt::format("POST {} answers {} for {} of this object, so the LFS API itself works", req.url,
                               r.status, operation)};
  }

private:
  std::string config() const {
    std::string c = "[user]\n\tname = ccci\n\temail = ccci@ccci.invalid\n"
                    "[init]\n\tdefaultBranch = main\n"
                    "[commit]\n\tgpgsign = false\n"
                    "[core]\n\tautocrlf = false\n"
                    "[advice]\n\tdetachedHead = false\n"
                    "[protocol \"file\"]\n\tallow = always\n"
                    "[filter \"lfs\"]\n\tclean = git-lfs clean -- %f\n\tsmudge = git-lfs smudge -- %f\n"
                    "\tprocess = git-lfs filter-process\n\trequired = true\n";
    if (!remote_.proxy.empty()) c += fmt::format("[http]\n\tproxy = {}\n", remote_.proxy);
    // A forge without the LFS locking API is not an error for a round trip.
    c += fmt::format("[lfs \"{}\"]\n\tlocksverify = false\n", lfs_endpoint(remote_.url));
    return c;
  }

  GitRemote remote_;
  TempDir tmp_ = helper_temp_dir();
  std::vector<std::string> env_;
};

// A failure message with the LFS API's answer: first when the server
// refused LFS outright (that is the news), after git's words otherwise.
std::string with_probe(const GitSession::Probe& probe, const std::string& what) {
  if (probe.text.empty()) return what;
  return probe.refused ? fmt::format("{}; in detail: {}", probe.text, what) : fmt::format("{}; {}", what, probe.text);
}

std::string head_commit(const GitSession& s, const fs::path& repo) {
  auto r = s.git({"rev-parse", "HEAD"}, repo);
  return r.ok() ? r.out.substr(0, r.out.find('\n')) : "";
}

// The fresh-clone half of every LFS helper: clone with smudging off (git's
// objects only), check git holds the pointer, download through the LFS API,
// check the bytes. `want_sha256` "" = no expectation. Fills `res`.
void fetch_and_check(const GitSession& s, LfsRoundTrip& res, const std::string& commit,
                     const std::string& want_sha256) {
  auto fresh = s.dir("fresh");
  auto r = s.git({"clone", "--quiet", s.url(), fresh.string()}, s.dir(""), true);
  if (!r.ok()) {
    res.message = fmt::format("a fresh clone of {} failed: {}", s.url(), s.failed("git clone", r));
    return;
  }
  if (!commit.empty()) {
    r = s.git({"checkout", "--quiet", "--detach", commit}, fresh, true);
    if (!r.ok()) {
      res.message = fmt::format("the fresh clone of {} lacks the pushed commit {}: {}", s.url(), commit,
                                s.failed("git checkout", r));
      return;
    }
  }
  r = s.git({"cat-file", "-p", "HEAD:" + res.file}, fresh);
  if (!r.ok()) {
    res.message = fmt::format("the fresh clone of {} has no {} at {}: {}", s.url(), res.file,
                              commit.empty() ? "the default branch's HEAD" : commit, s.failed("git cat-file", r));
    return;
  }
  Pointer pointer = parse_pointer(r.out);
  res.pointer_in_repo = pointer.valid;
  if (!pointer.valid) {
    res.message = fmt::format("git stores {} itself ({} in the object store), not a Git LFS pointer: the file was "
                              "committed without the LFS filter (is it covered by a `filter=lfs` line in "
                              ".gitattributes?)",
                              res.file, human_size(r.out.size()));
    return;
  }
  auto pulled = Clock::now();
  r = s.git({"lfs", "pull", "--include", res.file}, fresh);
  res.fetch_seconds = since(pulled);
  if (!r.ok()) {
    res.message =
        with_probe(s.probe_batch("download", pointer),
                   fmt::format("the fresh clone of {} holds only the LFS pointer of {} (oid sha256:{}, {}): "
                               "the download through the LFS API failed: {}",
                               s.url(), res.file, pointer.oid, human_size(pointer.size), s.failed("git lfs pull", r)));
    return;
  }
  auto path = fresh / res.file;
  auto head = read_prefix(path, pointer_header.size());
  if (head == pointer_header) {
    res.message = with_probe(s.probe_batch("download", pointer),
                             fmt::format("pointer-only clone: after `git lfs pull` the fresh clone's {} is still the "
                                         "LFS pointer (oid sha256:{}), not the {} object: the LFS server did not "
                                         "deliver it",
                                         res.file, pointer.oid, human_size(pointer.size)));
    return;
  }
  auto store = fresh / ".git" / "lfs" / "objects" / pointer.oid.substr(0, 2) / pointer.oid.substr(2, 2) / pointer.oid;
  if (!fs::exists(store)) {
    res.message = fmt::format("the fresh clone's {} has content but no object {} in .git/lfs/objects: it did not "
                              "come through the LFS API",
                              res.file, pointer.oid);
    return;
  }
  res.cloned_bytes = fs::file_size(path);
  res.sha256_cloned = sha256_of_file(path);
  if (!want_sha256.empty() && res.sha256_cloned != want_sha256) {
    res.message = fmt::format("SHA-256 mismatch for {}: expected {} ({}), the fresh clone from {} has {} ({}) "
                              "(pointer oid sha256:{})",
                              res.file, want_sha256, human_size(res.bytes), s.url(), res.sha256_cloned,
                              human_size(res.cloned_bytes), pointer.oid);
    return;
  }
  res.ok = true;
  res.message = fmt::format("a fresh clone of {} downloaded {} through the LFS API in {:.2f}s: {}, SHA-256 {}{}; "
                            "git stores only the pointer (oid sha256:{})",
                            s.url(), res.file, res.fetch_seconds, human_size(res.cloned_bytes), res.sha256_cloned,
                            want_sha256.empty() ? "" : " as expected", pointer.oid);
}

// The pushing half of the LFS helpers: clone, track `track`, write the file
// with `write`, commit (unless identical), check the pointer, push.
// Returns the commit pushed, or "" with res.message set.
std::string commit_and_push(const GitSession& s, LfsRoundTrip& res, const std::string& track,
                            const std::function<void(const fs::path&)>& write) {
  auto work = s.dir("push");
  auto r = s.git({"clone", "--quiet", s.url(), work.string()}, s.dir(""), true);
  if (!r.ok()) {
    res.message = fmt::format("cloning {} failed: {}", s.url(), s.failed("git clone", r));
    return "";
  }
  for (const std::vector<std::string>& step :
       {std::vector<std::string>{"lfs", "install", "--local"}, std::vector<std::string>{"lfs", "track", track}}) {
    r = s.git(step, work);
    if (!r.ok()) {
      res.message = s.failed("git " + step[0] + " " + step[1], r);
      return "";
    }
  }
  write(work / res.file);
  res.bytes = fs::file_size(work / res.file);
  res.sha256_pushed = sha256_of_file(work / res.file);
  r = s.git({"add", ".gitattributes", res.file}, work);
  if (!r.ok()) {
    res.message = s.failed("git add", r);
    return "";
  }
  bool changed = !s.git({"status", "--porcelain"}, work).out.empty();
  if (changed) {
    r = s.git({"commit", "--quiet", "-m", "ccci: Git LFS round trip of " + res.file}, work);
    if (!r.ok()) {
      res.message = s.failed("git commit", r);
      return "";
    }
  }
  r = s.git({"cat-file", "-p", "HEAD:" + res.file}, work);
  Pointer pointer = parse_pointer(r.out);
  if (!pointer.valid) {
    res.message = fmt::format("git stored {} itself, not a Git LFS pointer, although `git lfs track {}` ran: the LFS "
                              "clean filter did not apply",
                              res.file, track);
    return "";
  }
  auto pushed = Clock::now();
  r = s.git({"push", "origin", "HEAD"}, work);
  res.push_seconds = since(pushed);
  if (!r.ok()) {
    res.message = with_probe(s.probe_batch("upload", pointer),
                             fmt::format("pushing {} ({}, SHA-256 {}) to {} was refused: {}", res.file,
                                         human_size(res.bytes), res.sha256_pushed, s.url(), s.failed("git push", r)));
    return "";
  }
  return head_commit(s, work) + (changed ? "" : " (unchanged)");
}

LfsRoundTrip push_then_fetch(const GitRemote& remote, std::string file, const std::string& track,
                             const std::function<void(const fs::path&)>& write) {
  auto started = Clock::now();
  GitSession s(remote, true);
  LfsRoundTrip res;
  res.url = remote.url;
  res.file = std::move(file);
  auto pushed = commit_and_push(s, res, track, write);
  if (pushed.empty()) {
    res.total_seconds = since(started);
    return res;
  }
  bool unchanged = pushed.ends_with(" (unchanged)");
  auto commit = pushed.substr(0, pushed.find(' '));
  fetch_and_check(s, res, commit, res.sha256_pushed);
  res.total_seconds = since(started);
  if (res.ok)
    res.message =
        fmt::format("pushed {} ({}, SHA-256 {}) as a Git LFS object to {} in {:.2f}s{}; then {}; round "
                    "trip {:.2f}s",
                    res.file, human_size(res.bytes), res.sha256_pushed, remote.url, res.push_seconds,
                    unchanged ? " (already there: nothing new to commit)" : "", res.message, res.total_seconds);
  return res;
}

} // namespace

GitRemote git_remote_for(const HttpTarget& target, std::string_view repo_path) {
  while (repo_path.starts_with('/'))
    repo_path.remove_prefix(1);
  GitRemote remote;
  auto scheme_end = target.base_url.find("://");
  auto authority = scheme_end == std::string::npos ? target.base_url : target.base_url.substr(scheme_end + 3);
  authority = authority.substr(0, authority.find('/'));
  if (target.host.empty() || authority == target.host) {
    remote.url = fmt::format("{}/{}", target.base_url, repo_path);
  } else {
    remote.url = fmt::format("http://{}/{}", target.host, repo_path);
    remote.proxy = target.base_url;
  }
  return remote;
}

GitRoundTrip git_round_trip(const GitRemote& remote) {
  auto started = Clock::now();
  GitSession s(remote, false);
  GitRoundTrip res;
  res.url = remote.url;
  auto work = s.dir("work");
  auto t = Clock::now();
  auto r = s.git({"clone", "--quiet", remote.url, work.string()}, s.dir(""), true);
  res.clone_seconds = since(t);
  auto done = [&](std::string message) {
    res.message = std::move(message);
    res.total_seconds = since(started);
    return res;
  };
  if (!r.ok()) return done(fmt::format("cloning {} failed: {}", remote.url, s.failed("git clone", r)));
  auto tag = random_hex(12);
  auto file = "ccci-roundtrip/" + tag + ".txt";
  auto content = fmt::format("ccci git round trip {}\n", tag);
  write_text(work / file, content);
  for (const std::vector<std::string>& step :
       {std::vector<std::string>{"add", file},
        std::vector<std::string>{"commit", "--quiet", "-m", "ccci: git round trip " + tag}}) {
    r = s.git(step, work, true);
    if (!r.ok()) return done(s.failed("git " + step[0], r));
  }
  res.commit = head_commit(s, work);
  t = Clock::now();
  r = s.git({"push", "origin", "HEAD"}, work, true);
  res.push_seconds = since(t);
  if (!r.ok())
    return done(
        fmt::format("pushing commit {} to {} was refused: {}", res.commit, remote.url, s.failed("git push", r)));
  auto fresh = s.dir("fresh");
  t = Clock::now();
  r = s.git({"clone", "--quiet", remote.url, fresh.string()}, s.dir(""), true);
  res.fresh_clone_seconds = since(t);
  if (!r.ok()) return done(fmt::format("a fresh clone of {} failed: {}", remote.url, s.failed("git clone", r)));
  r = s.git({"show", res.commit + ":" + file}, fresh, true);
  if (!r.ok())
    return done(fmt::format("the push of {} succeeded but a fresh clone of {} lacks it: {}", res.commit, remote.url,
                            s.failed("git show", r)));
  if (r.out != content)
    return done(fmt::format("a fresh clone of {} has {} at {} with other content than was pushed", remote.url, file,
                            res.commit));
  res.ok = true;
  return done(fmt::format("cloned {} in {:.2f}s, pushed commit {} in {:.2f}s, a fresh clone has it with the same "
                          "content in {:.2f}s",
                          remote.url, res.clone_seconds, res.commit.substr(0, 12), res.push_seconds,
                          res.fresh_clone_seconds));
}

LfsRoundTrip lfs_round_trip(const GitRemote& remote, std::size_t bytes, std::string_view pattern) {
  auto file = name_matching(pattern, "ccci-lfs-" + random_hex(12));
  return push_then_fetch(remote, file, std::string(pattern), [bytes](const fs::path& p) {
    fs::create_directories(p.parent_path());
    std::ifstream random("/dev/urandom", std::ios::binary);
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    std::vector<char> buf(1u << 16);
    for (std::size_t left = bytes; left > 0;) {
      auto n = std::min(left, buf.size());
      random.read(buf.data(), static_cast<std::streamsize>(n));
      out.write(buf.data(), static_cast<std::streamsize>(n));
      left -= n;
    }
    if (!random || !out) throw InfraError(fmt::format("cannot write {} random bytes to {}", bytes, p.string()));
  });
}

LfsRoundTrip lfs_push_file(const GitRemote& remote, std::string_view file, std::string_view content) {
  std::string name(file);
  while (name.starts_with('/'))
    name.erase(0, 1);
  return push_then_fetch(remote, name, name, [content](const fs::path& p) { write_text(p, content); });
}

LfsRoundTrip lfs_fetch(const GitRemote& remote, std::string_view file, std::string_view expected_sha256) {
  auto started = Clock::now();
  GitSession s(remote, true);
  LfsRoundTrip res;
  res.url = remote.url;
  res.file = std::string(file);
  while (res.file.starts_with('/'))
    res.file.erase(0, 1);
  fetch_and_check(s, res, "", std::string(expected_sha256));
  res.total_seconds = since(started);
  return res;
}

std::string sha256_hex(std::string_view bytes) {
  ProcessOptions o;
  o.input = std::string(bytes);
  o.timeout = std::chrono::seconds(120);
  ProcessResult r;
  try {
    r = run_process({"sha256sum", "-"}, o);
  } catch (const InfraFailure& e) {
    throw InfraError(e.what());
  }
  // Empty input: run_process closes stdin at once, which sha256sum reads as "".
  if (!r.ok() || r.out.size() < 64) throw InfraError(fmt::format("sha256sum failed ({}): {}", r.describe(), r.err));
  return r.out.substr(0, 64);
}

std::string sha256_of_file(const fs::path& file) {
  ProcessOptions o;
  o.timeout = std::chrono::seconds(120);
  ProcessResult r;
  try {
    r = run_process({"sha256sum", "--", file.string()}, o);
  } catch (const InfraFailure& e) {
    throw InfraError(e.what());
  }
  if (!r.ok() || r.out.size() < 64)
    throw InfraError(fmt::format("sha256sum {} failed ({}): {}", file.string(), r.describe(), r.err));
  return r.out.substr(0, 64);
}

std::string name_matching(std::string_view pattern, std::string_view tag) {
  std::string out;
  bool starred = false;
  for (char c : pattern) {
    if (c == '*') {
      if (!starred) out += tag;
      starred = true;
      continue;
    }
    starred = false;
    out += c == '?' ? 'x' : c;
  }
  if (out.empty() || out.back() == '/') out += tag;
  while (out.starts_with('/'))
    out.erase(0, 1);
  return out;
}

} // namespace ccci::host
