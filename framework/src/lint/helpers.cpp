#include "lint/helpers.hpp"

#include <algorithm>
#include <cctype>

namespace ccci::host::lint {

using namespace std::string_view_literals;

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += sep;
    out += p;
  }
  return out;
}

LintVerdict verdict(const std::vector<std::string>& problems, const std::vector<std::string>& fixes,
                    std::string ok_detail) {
  if (problems.empty()) return {true, std::move(ok_detail), ""};
  return {false, join(problems, "; "), join(fixes, "; ")};
}

LintVerdict not_judged(std::string why) { return {false, "", "", std::move(why)}; }

std::vector<ComposeFileView> compose_views(const LintInput& in) {
  if (!in.tree) return {view_of(in.compose)};
  std::vector<ComposeFileView> out;
  for (const auto& f : in.tree->compose_files)
    if (f.error.empty()) out.push_back(f);
  return out;
}

std::string at(const std::string& file, int line) { return line > 0 ? file + ":" + std::to_string(line) : file; }

std::vector<MergedService> merged_services(const std::vector<ComposeFileView>& files) {
  std::vector<MergedService> out;
  for (const auto& f : files) {
    for (const auto& s : f.services) {
      auto it = std::find_if(out.begin(), out.end(), [&](const MergedService& m) { return m.name == s.name; });
      if (it == out.end()) {
        out.push_back({s.name, f.name, s.line, {}, {}, {}});
        it = std::prev(out.end());
      }
      if (s.image) it->image = s.image;
      if (s.healthcheck) it->healthcheck = s.healthcheck;
      for (const auto& [k, v] : s.labels)
        it->labels[k] = v;
    }
  }
  return out;
}

const ComposeService* find_service(const Compose& compose, const std::string& name) {
  auto it = std::find_if(compose.services.begin(), compose.services.end(),
                         [&](const ComposeService& s) { return s.name == name; });
  return it == compose.services.end() ? nullptr : &*it;
}

ImageRef parse_image(const std::string& image) {
  ImageRef ref;
  std::string rest = image;
  if (auto at = rest.find('@'); at != std::string::npos) {
    ref.digest = true;
    rest = rest.substr(0, at);
  }
  // A colon before the last slash is a registry port ("registry:5000/app"), not a tag.
  auto slash = rest.rfind('/');
  auto colon = rest.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash)) {
    ref.tag = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
  }
  ref.repository = rest;
  return ref;
}

std::string dump_file_in(const std::string& hook) {
  auto token_at = [&](std::size_t i) {
    while (i < hook.size() && (hook[i] == ' ' || hook[i] == '>'))
      ++i;
    std::string t;
    while (i < hook.size() && hook[i] != ' ' && hook[i] != ';' && hook[i] != '|' && hook[i] != '&' && hook[i] != ')')
      t.push_back(hook[i++]);
    std::erase_if(t, [](char c) { return c == '"' || c == '\''; });
    return t;
  };
  for (auto flag : {"--archive="sv, "--result-file="sv, "--file="sv})
    if (auto pos = hook.find(flag); pos != std::string::npos) return token_at(pos + flag.size());
  for (std::size_t pos = hook.find('>'); pos != std::string::npos; pos = hook.find('>', pos + 1)) {
    if (pos > 0 && (std::isdigit(static_cast<unsigned char>(hook[pos - 1])) || hook[pos - 1] == '&')) continue;
    if (auto t = token_at(pos + 1); !t.empty() && !t.starts_with('&') && t != "/dev/null") return t;
  }
  return "";
}

} // namespace ccci::host::lint
