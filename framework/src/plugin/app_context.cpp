#include "plugin/app_context.hpp"

#include "plugin/git_roundtrip.hpp"
#include "plugin/http.hpp"

#include <fmt/format.h>

namespace ccci::host {

AppContext::AppContext(Swarm& swarm, std::string stack, std::string domain, Env env, LogSink log)
    : swarm_(swarm), stack_(std::move(stack)), domain_(std::move(domain)), env_(std::move(env)),
      http_(swarm.http_target(domain_)), log_(std::move(log)) {}

std::string AppContext::env(std::string_view key) const {
  auto it = env_.find(std::string(key));
  return it == env_.end() ? "" : it->second;
}

HttpResponse AppContext::http_get(std::string_view path) { return http_request(http_, "GET", path); }

HttpResponse AppContext::http_head(std::string_view path) { return http_request(http_, "HEAD", path); }

ExecResult AppContext::exec(std::string_view service, const std::vector<std::string>& argv) {
  auto container = swarm_.container_of(stack_, std::string(service));
  if (container.empty())
    throw InfraError(fmt::format("no running container of service '{}' in stack {}", service, stack_));
  auto r = swarm_.exec(container, argv);
  return {r.exit_code, r.out};
}

GitRoundTrip AppContext::git_round_trip(std::string_view repo) {
  return host::git_round_trip(git_remote_for(http_, repo));
}

LfsRoundTrip AppContext::lfs_round_trip(std::string_view repo, std::size_t bytes, std::string_view pattern) {
  return host::lfs_round_trip(git_remote_for(http_, repo), bytes, pattern);
}

LfsRoundTrip AppContext::lfs_push_file(std::string_view repo, std::string_view file, std::string_view content) {
  return host::lfs_push_file(git_remote_for(http_, repo), file, content);
}

LfsRoundTrip AppContext::lfs_fetch(std::string_view repo, std::string_view file, std::string_view sha256) {
  return host::lfs_fetch(git_remote_for(http_, repo), file, sha256);
}

std::string AppContext::sha256_hex(std::string_view bytes) { return host::sha256_hex(bytes); }

} // namespace ccci::host
