// HTTP to the deployed app, with libcurl.
#pragma once

#include <ccci/plugin.hpp>

#include <chrono>
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

namespace ccci::host {

/// Where requests for an app go: `base_url` (e.g. "http://127.0.0.1:8480"
/// for the managed edge proxy, or "https://<domain>" through a real
/// Traefik) with `host` as the Host header.
struct HttpTarget {
  std::string base_url;
  std::string host;
};

/// What ccci keeps of a response body at most. A body over it is an error
/// (HttpBodyTooLarge), never a truncated body a check would judge, nor an
/// app's way to exhaust ccci's memory (docs/plugin-guide.md).
constexpr std::size_t max_http_body = 16u << 20;
/// The headers of one response, all together, at most (else: no answer).
constexpr std::size_t max_http_headers = 1u << 20;

/// The response body was over the cap: the request is named, and the cap.
class HttpBodyTooLarge : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

/// One request, redirects not followed. Throws ccci::InfraError when no
/// answer came at all (connection refused, DNS, timeout), HttpBodyTooLarge
/// when the body is over max_http_body.
HttpResponse http_request(const HttpTarget& target, std::string_view method, std::string_view path,
                          std::chrono::seconds timeout = std::chrono::seconds(30));

/// Any request: for helpers that send a body or go through a proxy (the git
/// helpers probe the LFS batch API with it).
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  std::vector<std::string> headers; ///< "Name: value"
  std::string body;
  std::string proxy; ///< "" = none
  std::chrono::seconds timeout{30};
  std::size_t max_body = max_http_body; ///< bytes of body kept at most
  /// "" = over TCP; else the path of a local socket the request goes over
  /// (the docker daemon's: swarm/engine.hpp).
  std::string unix_socket;
  /// A stop request ends a transfer at once, unless this says not to (a
  /// teardown's reads ignore the first stop: docs/architecture.md, "Stopping").
  bool ignore_stop = false;
};

/// Sends `request`; throws ccci::InfraError when no answer came at all,
/// HttpBodyTooLarge when the body is over `request.max_body`.
HttpResponse http_send(const HttpRequest& request);

} // namespace ccci::host
