#include "plugin/plugin_host.hpp"

#include "model/errors.hpp"
#include "os/fd.hpp"
#include "os/signals.hpp"
#include "os/spawn.hpp"

#include <boost/dll/import.hpp>
#include <boost/json.hpp>
#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <iostream>
#include <poll.h>
#include <sys/resource.h>
#include <unistd.h>

namespace json = boost::json;

namespace ccci::host {

namespace {

PluginHandle load_plugin(const std::filesystem::path& path) {
  namespace dll = boost::dll;
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec))
    throw InputError(fmt::format("plugin {}: is a directory, not a shared object; pass --plugin with the path of "
                                 "the recipe's .so (or --plugin-dir for the directory of <recipe>.so files)",
                                 path.string()));
  if (!std::filesystem::is_regular_file(path, ec))
    throw InputError(fmt::format("plugin {}: no such file; build the plugins (cmake --build) or pass "
                                 "--plugin with the path of a .so",
                                 path.string()));
  auto library = std::make_shared<dll::shared_library>();
  try {
    library->load(path, dll::load_mode::rtld_now | dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    throw InputError(fmt::format("plugin {}: cannot be loaded: {} (is it a shared object built "
                                 "against this ccci's SDK, with every symbol defined?)",
                                 path.string(), e.what()));
  }
  for (const char* symbol : {"ccci_abi_version", "ccci_create_plugin"})
    if (!library->has(symbol))
      throw InputError(fmt::format("plugin {}: does not export '{}'; end the plugin's source with "
                                   "CCCI_PLUGIN(\"<recipe>\") from <ccci/plugin.hpp>",
                                   path.string(), symbol));
  int abi = library->get_alias<int()>("ccci_abi_version")();
  if (abi != abi_version)
    throw InputError(fmt::format("plugin {}: built for plugin ABI {}, this ccci speaks ABI {}; "
                                 "rebuild the plugin against this ccci's SDK",
                                 path.string(), abi, abi_version));
  std::unique_ptr<Plugin> made = library->get_alias<std::unique_ptr<Plugin>()>("ccci_create_plugin")();
  if (!made) throw InputError(fmt::format("plugin {}: its factory returned nothing", path.string()));
  // The object's destructor is the plugin's code: delete it first, then let
  // the captured library go.
  return PluginHandle(made.release(), [library](const Plugin* p) { delete p; });
}

} // namespace

LoadedPlugin::LoadedPlugin(const std::filesystem::path& path) : path_(path), plugin_(load_plugin(path)) {}

LoadedPlugin::LoadedPlugin(std::filesystem::path path, PluginHandle plugin)
    : path_(std::move(path)), plugin_(std::move(plugin)) {}

std::vector<CheckSpec> LoadedPlugin::checks_for(Tier tier) const {
  std::vector<CheckSpec> out;
  for (auto& c : plugin_->checks())
    if (c.tier == tier) out.push_back(c);
  return out;
}

std::vector<HookSpec> LoadedPlugin::hooks(Hook kind) const {
  std::vector<HookSpec> out;
  for (auto& h : plugin_->hooks())
    if (h.hook == kind) out.push_back(h);
  return out;
}

std::optional<SecretSpec> LoadedPlugin::secret_maker(std::string_view key) const {
  for (auto& s : plugin_->secrets())
    if (s.key == key) return s;
  return std::nullopt;
}

PluginInfo LoadedPlugin::info() const {
  PluginInfo info{path_.string(), plugin_->recipe(), abi_version, {}};
  for (auto& c : plugin_->checks())
    info.checks.push_back(fmt::format("{}/{}", to_string(c.tier), c.name));
  for (auto& h : plugin_->hooks())
    info.checks.push_back(fmt::format("{}:{}", h.hook == Hook::seed ? "seed" : "verify", h.name));
  for (auto& a : plugin_->archive_checks())
    info.checks.push_back(fmt::format("archive:{}", a.name));
  for (auto& sec : plugin_->secrets())
    info.checks.push_back(fmt::format("secret:{}", sec.key));
  return info;
}

namespace {

void write_all(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t w = ::write(fd, s.data() + off, s.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;
    off += static_cast<size_t>(w);
  }
}

// What a check's text may take in results.json and the run's log, and what
// one line on its channel may take in ccci (docs/architecture.md,
// "Bounded memory and permissions"). A line is one JSON object; escaping grows text at most 6-fold.
constexpr std::size_t check_message_bytes = 64u << 10, check_log_line_bytes = 4u << 10;
constexpr std::size_t channel_line_bytes = 1u << 20;

std::string capped(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  return fmt::format("{} [... {} bytes cut by ccci]", text.substr(0, max), text.size() - max);
}

// The child's side: run the check, send log lines and one verdict as JSON
// lines. Child::fork leaves with _exit, so none of the parent's atexit
// handlers run.
int child_main(const CheckBody& body, Context& context, int fd) {
  rlimit no_core{0, 0};
  ::setrlimit(RLIMIT_CORE, &no_core);
  json::object verdict;
  try {
    CheckResult r = body(context);
    verdict = {{"status", r.passed ? "pass" : "fail"}, {"message", capped(r.message, check_message_bytes)}};
  } catch (const InfraError& e) {
    verdict = {{"status", "unver"}, {"message", fmt::format("infrastructure error: {}", e.what())}};
  } catch (const std::exception& e) {
    verdict = {{"status", "fail"}, {"message", fmt::format("the check threw an exception: {}", e.what())}};
  } catch (...) {
    verdict = {{"status", "fail"}, {"message", "the check threw a non-standard exception"}};
  }
  // What the check printed itself reaches the parent before the verdict
  // (Child::fork leaves with _exit, which flushes nothing).
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  write_all(fd, json::serialize(json::object{{"verdict", verdict}}) + "\n");
  return 0;
}

// Forwards Context::log from the child to the parent over the pipe.
class ChildContext final : public Context {
public:
  ChildContext(Context& inner, int fd) : inner_(inner), fd_(fd) {}
  std::string stack() const override { return inner_.stack(); }
  std::string domain() const override { return inner_.domain(); }
  std::string env(std::string_view k) const override { return inner_.env(k); }
  HttpResponse http_get(std::string_view p) override { return inner_.http_get(p); }
  HttpResponse http_head(std::string_view p) override { return inner_.http_head(p); }
  ExecResult exec(std::string_view s, const std::vector<std::string>& a) override { return inner_.exec(s, a); }
  GitRoundTrip git_round_trip(std::string_view r) override { return inner_.git_round_trip(r); }
  LfsRoundTrip lfs_round_trip(std::string_view r, std::size_t n, std::string_view p) override {
    return inner_.lfs_round_trip(r, n, p);
  }
  LfsRoundTrip lfs_push_file(std::string_view r, std::string_view f, std::string_view c) override {
    return inner_.lfs_push_file(r, f, c);
  }
  LfsRoundTrip lfs_fetch(std::string_view r, std::string_view f, std::string_view h) override {
    return inner_.lfs_fetch(r, f, h);
  }
  std::string sha256_hex(std::string_view b) override { return inner_.sha256_hex(b); }
  void log(std::string_view line) override {
    write_all(fd_, json::serialize(json::object{{"log", capped(line, check_log_line_bytes)}}) + "\n");
  }

private:
  Context& inner_;
  int fd_;
};

} // namespace

MadeSecret make_secret_isolated(const std::string& name, const SecretSpec& spec, Context& context,
                                std::chrono::seconds timeout, const LogSink& log) {
  // The value travels back as the message of a passing verdict, and is
  // taken out of the record before anyone sees it.
  auto body = [make = spec.make, key = spec.key](Context& c) {
    auto value = make(c);
    // The value travels as a message, which is capped: a longer one would
    // arrive cut, and a cut secret is a wrong one.
    if (value.size() > check_message_bytes)
      return fail(fmt::format("CCCI_SECRET(\"{}\") returned {} bytes; ccci takes at most {}", key, value.size(),
                              check_message_bytes));
    return pass(std::move(value));
  };
  MadeSecret out{std::nullopt, run_isolated(name, body, context, timeout, log)};
  if (out.record.status != Status::pass) return out;
  std::string value = std::move(out.record.message);
  if (value.empty()) {
    out.record.status = Status::fail;
    out.record.message =
        fmt::format("CCCI_SECRET(\"{}\") returned an empty value; return the secret's value", spec.key);
    return out;
  }
  out.record.message =
      fmt::format("{}: made by the plugin's CCCI_SECRET(\"{}\") ({} characters)", spec.key, spec.key, value.size());
  out.value = std::move(value);
  return out;
}

CheckRecord run_isolated_check(const CheckSpec& spec, Context& context, std::chrono::seconds timeout,
                               const LogSink& log) {
  return run_isolated(fmt::format("{}/{}", to_string(spec.tier), spec.name), spec.run, context, timeout, log);
}

CheckRecord run_isolated(const std::string& name, const CheckBody& body, Context& context, std::chrono::seconds timeout,
                         const LogSink& log) {
  CheckRecord rec{name, Status::unver, "", 0};
  auto started = std::chrono::steady_clock::now();
  // The check's own stdout and stderr come back through a pipe and go to
  // the log like its ctx.log lines, so they pass the redactor on the way
  // (docs/architecture.md, "Leaks") instead of reaching ccci's terminal.
  int out_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
    rec.message = fmt::format("cannot make a pipe for the check's output: {}", std::strerror(errno));
    return rec;
  }
  Fd output(out_pipe[0]), output_w(out_pipe[1]);
  Child child;
  try {
    child = Child::fork([&](int channel) {
      ::dup2(output_w.get(), STDOUT_FILENO);
      ::dup2(output_w.get(), STDERR_FILENO);
      ChildContext forwarding(context, channel);
      return child_main(body, forwarding, channel);
    });
  } catch (const SpawnError& e) {
    rec.message = fmt::format("cannot {} for the check: {}", e.step(), e.reason());
    return rec;
  }

  output_w.reset();
  ::fcntl(output.get(), F_SETFL, ::fcntl(output.get(), F_GETFL) | O_NONBLOCK);
  std::string printed;
  bool output_open = true;
  // Whole lines; one without an end is cut at 64 KiB, so memory stays bounded.
  auto drain_output = [&](bool last) {
    char chunk[8192];
    ssize_t got = 0;
    while ((got = ::read(output.get(), chunk, sizeof chunk)) > 0)
      printed.append(chunk, static_cast<size_t>(got));
    if (got == 0) output_open = false; // every writer is gone: stop polling it
    for (auto nl = printed.find('\n');
         nl != std::string::npos || printed.size() >= 64 * 1024 || (last && !printed.empty());
         nl = printed.find('\n')) {
      const auto end = nl != std::string::npos ? nl : printed.size();
      log(fmt::format("(printed by {}) {}", rec.name, printed.substr(0, end)));
      printed.erase(0, std::min(printed.size(), end + 1));
    }
  };
  std::string buffer;
  bool dropping = false; ///< inside a line over channel_line_bytes
  std::optional<json::object> verdict;
  bool timed_out = false, interrupted = false;
  auto deadline = started + timeout;
  auto handle_line = [&](const std::string& line) {
    try {
      auto v = json::parse(line);
      auto& o = v.as_object();
      if (auto* l = o.if_contains("log")) log(std::string(l->as_string()));
      if (auto* d = o.if_contains("verdict")) verdict = d->as_object();
    } catch (const std::exception&) {
      log(fmt::format("(unreadable line from check {}: {})", rec.name, line));
    }
  };
  char buf[8192];
  while (true) {
    if (std::chrono::steady_clock::now() >= deadline) {
      timed_out = true;
      break;
    }
    if (stop_requested) {
      interrupted = true;
      break;
    }
    pollfd p[2] = {{child.channel().get(), POLLIN, 0}, {output_open ? output.get() : -1, POLLIN, 0}};
    int r = ::poll(p, 2, 100);
    if (r <= 0) continue;
    if (p[1].revents) drain_output(false);
    if (!p[0].revents) continue;
    ssize_t got = ::read(child.channel().get(), buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    buffer.append(buf, static_cast<size_t>(got));
    for (auto nl = buffer.find('\n'); nl != std::string::npos; nl = buffer.find('\n')) {
      if (!dropping) handle_line(buffer.substr(0, nl));
      dropping = false;
      buffer.erase(0, nl + 1);
    }
    // The child caps what it sends; a line longer than that is not ours to
    // hold (a check writing to the channel itself).
    if (buffer.size() > channel_line_bytes) {
      if (!dropping) log(fmt::format("(a line from check {} over {} bytes was dropped)", rec.name, channel_line_bytes));
      dropping = true;
      buffer.clear();
    }
  }
  child.channel().reset();
  drain_output(true);
  // The whole group: a hung check's `docker exec` or git goes with it, and
  // so does whatever a finished check left running.
  if (timed_out || interrupted) child.kill_group();
  const ExitStatus status = child.wait_then_kill_group();
  rec.duration = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

  if (timed_out) {
    rec.status = Status::fail;
    rec.message = fmt::format("did not finish within the per-check timeout of {}s and was killed "
                              "(raise check_timeout in the recipe meta if it is legitimately slow)",
                              timeout.count());
  } else if (interrupted) {
    rec.status = Status::unver;
    rec.message =
        fmt::format("{}: the check was cut short and its process group killed; no verdict", interrupted_reason());
  } else if (status.signal) {
    rec.status = Status::fail;
    rec.message =
        fmt::format("the check crashed: killed by {} ({})", signal_name(status.signal), ::strsignal(status.signal));
  } else if (!verdict) {
    rec.status = Status::fail;
    rec.message = fmt::format("the check ended (exit {}) without reporting a verdict", status.exit_code);
  } else {
    auto st = status_from_string(std::string((*verdict)["status"].as_string()));
    rec.status = st.value_or(Status::unver);
    rec.message = std::string((*verdict)["message"].as_string());
  }
  return rec;
}

} // namespace ccci::host
