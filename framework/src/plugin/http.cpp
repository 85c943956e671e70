#include "plugin/http.hpp"

#include "model/text.hpp"
#include "os/signals.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <memory>
#include <strings.h>

namespace ccci::host {

namespace {

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
  ~CurlGlobal() { curl_global_cleanup(); }
};

struct Body {
  std::string& text;
  std::size_t cap;
  bool over = false;
};

// Returning less than given makes libcurl stop with CURLE_WRITE_ERROR: the
// body over the cap is never held.
size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* body = static_cast<Body*>(user);
  if (body->text.size() + size * n > body->cap) {
    body->over = true;
    return 0;
  }
  body->text.append(data, size * n);
  return size * n;
}

struct Headers {
  std::map<std::string, std::string>& fields;
  std::size_t bytes = 0;
};

// Headers are bounded too: past max_http_headers libcurl is told to stop.
size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* state = static_cast<Headers*>(user);
  state->bytes += size * n;
  if (state->bytes > max_http_headers) return 0;
  auto* headers = &state->fields;
  std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) headers->clear(); // a new response (after 100-continue)
  auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string key(line.substr(0, colon));
    for (auto& c : key)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    auto value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.remove_suffix(1);
    (*headers)[key] = std::string(value);
  }
  return size * n;
}

// A stop request ends a transfer at once instead of at its timeout: no wait
// of ccci's ignores a stop (docs/architecture.md, "Stopping").
int on_progress(void* ignore_stop, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return stop_requested && !*static_cast<const bool*>(ignore_stop) ? 1 : 0;
}

} // namespace

HttpResponse http_request(const HttpTarget& target, std::string_view method, std::string_view path,
                          std::chrono::seconds timeout) {
  HttpRequest request;
  request.method = std::string(method);
  request.url = target.base_url + (path.empty() || path.front() != '/' ? "/" : "") + std::string(path);
  if (!target.host.empty()) request.headers.push_back("Host: " + target.host);
  request.timeout = timeout;
  return http_send(request);
}

HttpResponse http_send(const HttpRequest& request) {
  static CurlGlobal global;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) throw InfraError("libcurl could not start a request");
  const std::string& url = request.url;
  const std::string& method = request.method;
  HttpResponse response;
  char error[CURL_ERROR_SIZE] = {};
  curl_slist* headers = nullptr;
  std::string host;
  for (auto& h : request.headers) {
    headers = curl_slist_append(headers, h.c_str());
    if (h.size() > 5 && strncasecmp(h.c_str(), "Host:", 5) == 0) host = h.substr(5);
  }
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_guard(headers, curl_slist_free_all);
  curl_easy_setopt(curl.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl.get(), CURLOPT_TIMEOUT, static_cast<long>(request.timeout.count()));
  if (!request.proxy.empty()) curl_easy_setopt(curl.get(), CURLOPT_PROXY, request.proxy.c_str());
  if (!request.body.empty() || method == "POST" || method == "PUT") {
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
  }
  curl_easy_setopt(curl.get(), CURLOPT_NOSIGNAL, 1L);
  if (!request.unix_socket.empty()) curl_easy_setopt(curl.get(), CURLOPT_UNIX_SOCKET_PATH, request.unix_socket.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(curl.get(), CURLOPT_XFERINFODATA, &request.ignore_stop);
  curl_easy_setopt(curl.get(), CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl.get(), CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(curl.get(), CURLOPT_WRITEFUNCTION, on_body);
  Body body{response.body, request.max_body};
  curl_easy_setopt(curl.get(), CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(curl.get(), CURLOPT_HEADERFUNCTION, on_header);
  Headers header_state{response.headers};
  curl_easy_setopt(curl.get(), CURLOPT_HEADERDATA, &header_state);
  if (method == "HEAD")
    curl_easy_setopt(curl.get(), CURLOPT_NOBODY, 1L);
  else if (method != "GET")
    curl_easy_setopt(curl.get(), CURLOPT_CUSTOMREQUEST, std::string(method).c_str());
  CURLcode rc = curl_easy_perform(curl.get());
  if (body.over)
    throw HttpBodyTooLarge(fmt::format("{} {}{}: the response body is over ccci's cap of {} (docs/plugin-guide.md, "
                                       "\"What a check may and may not do\"); ask for a smaller resource",
                                       method, url, host.empty() ? "" : " (Host:" + host + ")",
                                       size_text(request.max_body)));
  if (rc != CURLE_OK)
    throw InfraError(fmt::format("{} {}{}: no answer: {}", method, url, host.empty() ? "" : " (Host:" + host + ")",
                                 error[0] ? error : curl_easy_strerror(rc)));
  curl_easy_getinfo(curl.get(), CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

} // namespace ccci::host
