// What a plugin's checks see: the deployed app, reached as a user would
// (HTTP by domain through the swarm's edge, exec in a service's container).
#pragma once

#include "model/errors.hpp"
#include "swarm/swarm.hpp"

#include <ccci/plugin.hpp>

#include <functional>
#include <string>

namespace ccci::host {

class AppContext final : public Context {
public:
  using LogSink = std::function<void(std::string_view)>;
  AppContext(Swarm& swarm, std::string stack, std::string domain, Env env, LogSink log);

  std::string stack() const override { return stack_; }
  std::string domain() const override { return domain_; }
  std::string env(std::string_view key) const override;
  HttpResponse http_get(std::string_view path) override;
  HttpResponse http_head(std::string_view path) override;
  ExecResult exec(std::string_view service, const std::vector<std::string>& argv) override;
  void log(std::string_view line) override { log_(line); }
  GitRoundTrip git_round_trip(std::string_view repo) override;
  LfsRoundTrip lfs_round_trip(std::string_view repo, std::size_t bytes, std::string_view pattern) override;
  LfsRoundTrip lfs_push_file(std::string_view repo, std::string_view file, std::string_view content) override;
  LfsRoundTrip lfs_fetch(std::string_view repo, std::string_view file, std::string_view sha256) override;
  std::string sha256_hex(std::string_view bytes) override;

private:
  Swarm& swarm_;
  std::string stack_, domain_;
  Env env_;
  HttpTarget http_;
  LogSink log_;
};

} // namespace ccci::host
