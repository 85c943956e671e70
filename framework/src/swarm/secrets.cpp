#include "swarm/secrets.hpp"

#include "os/fs.hpp"

#include <fmt/format.h>

#include <fstream>

namespace ccci::host {

std::string generate_secret_value() {
  static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  std::string out;
  while (out.size() < 32) {
    auto b = static_cast<unsigned char>(urandom.get());
    if (b >= 248) continue; // 248 = 4 * 62: keep the draw uniform
    out.push_back(alphabet[b % 62]);
  }
  return out;
}

std::string Redactor::redact(std::string text) const {
  for (auto& s : secrets_) {
    if (s.value.empty()) continue;
    auto mask = fmt::format("[redacted:{}]", s.name);
    for (auto pos = text.find(s.value); pos != std::string::npos; pos = text.find(s.value, pos + mask.size()))
      text.replace(pos, s.value.size(), mask);
  }
  return text;
}

std::vector<std::string> find_secret_leaks_in(std::string_view text, std::string_view origin,
                                              const std::vector<GeneratedSecret>& secrets) {
  std::vector<std::string> out;
  for (auto& s : secrets)
    if (!s.value.empty() && text.find(s.value) != std::string_view::npos)
      out.push_back(fmt::format("{}: secret {}", origin, s.name));
  return out;
}

std::vector<std::string> find_secret_leaks(const std::filesystem::path& dir,
                                           const std::vector<GeneratedSecret>& secrets) {
  namespace fs = std::filesystem;
  std::vector<std::string> out;
  if (secrets.empty() || !fs::exists(dir)) return out;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator(); ++it) {
    if (it->is_directory() && it->path().filename() == ".git") {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file()) continue;
    std::error_code unreadable; // scanned as empty, as before the scan had its own reader
    auto bytes = read_file(it->path(), unreadable);
    auto found = find_secret_leaks_in(bytes, fs::relative(it->path(), dir).string(), secrets);
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

} // namespace ccci::host
