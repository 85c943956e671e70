// HTTP to the deployed app, with libcurl.
#pragma once

#include <ccci/plugin.hpp>

#include <chrono>
#include <string>

namespace ccci::detail {

/// Where requests for an app go: `base_url` (e.g. "http://127.0.0.1:8480"
/// for the managed edge proxy, or "https://<domain>" through a real
/// Traefik) with `host` as the Host header.
struct HttpTarget {
  std::string base_url;
  std::string host;
};

/// One request, redirects not followed. Throws ccci::InfraError when no
/// answer came at all (connection refused, DNS, timeout).
HttpResponse http_request(const HttpTarget& target, std::string_view method, std::string_view path,
                          std::chrono::seconds timeout = std::chrono::seconds(30));

} // namespace ccci::detail
