#include "recipe/meta.hpp"
#include "model/tiers.hpp"
#include "model/version.hpp"
#include "os/fs.hpp"
#include "recipe/yaml_load.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <fstream>
#include <sstream>
#include <string_view>

namespace fs = std::filesystem;

namespace ccci::host {
namespace {

constexpr std::array<std::string_view, 10> top_keys{"deploy_timeout", "check_timeout", "env",          "readiness",
                                                    "expected_skips", "enroll",        "upgrade_base", "upstream",
                                                    "host_access",    "sequential"};
constexpr std::array<std::string_view, 4> probe_keys{"path", "expect_status", "attempts", "interval"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& a, std::string_view s) {
  return std::find(a.begin(), a.end(), s) != a.end();
}

constexpr auto tier_name_list() {
  std::array<std::string_view, tier_table.size()> out{};
  for (std::size_t i = 0; i < tier_table.size(); ++i)
    out[i] = tier_table[i].name;
  return out;
}

// Levenshtein distance, to suggest the key a typo meant.
std::size_t distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j)
    row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diag = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

template <std::size_t N>
std::string suggestion(const std::array<std::string_view, N>& known, std::string_view got) {
  std::string_view best;
  std::size_t best_d = 3; // further than this is not a typo
  for (auto k : known)
    if (auto d = distance(k, got); d < best_d) {
      best_d = d;
      best = k;
    }
  return best.empty() ? "" : fmt::format("; did you mean '{}'?", best);
}

class MetaReader {
public:
  explicit MetaReader(fs::path file) : file_(std::move(file)) {}

  RecipeMeta read() {
    RecipeMeta meta;
    meta.file = file_;
    YAML::Node root = parse();
    if (root.IsNull()) return meta; // an empty meta file means "all defaults"
    if (!root.IsMap())
      fail(root,
           fmt::format("a meta file must be a map of settings ({}), not a {}", fmt::join(top_keys, ", "), kind(root)));
    for (const auto& kv : root) {
      const std::string key = kv.first.Scalar();
      const YAML::Node& v = kv.second;
      if (key == "deploy_timeout")
        meta.deploy_timeout = std::chrono::seconds(positive_int(kv.first, v, key, "300"));
      else if (key == "check_timeout")
        meta.check_timeout = std::chrono::seconds(positive_int(kv.first, v, key, "60"));
      else if (key == "env")
        meta.env = env(kv.first, v);
      else if (key == "readiness")
        meta.readiness = readiness(kv.first, v);
      else if (key == "expected_skips")
        meta.expected_skips = skips(kv.first, v);
      else if (key == "enroll")
        meta.enroll = boolean(kv.first, v, key);
      else if (key == "upgrade_base")
        meta.upgrade_base = release_tag(kv.first, v, key);
      else if (key == "upstream")
        meta.upstream = non_empty_string(kv.first, v, key);
      else if (key == "host_access")
        meta.host_access = grants(kv.first, v);
      else if (key == "sequential")
        meta.sequential = reason(kv.first, v, key);
      else
        fail(kv.first,
             fmt::format("unknown key '{}' (known: {}){}", key, fmt::join(top_keys, ", "), suggestion(top_keys, key)));
    }
    return meta;
  }

private:
  fs::path file_;

  YAML::Node parse() const {
    std::error_code ec;
    auto text = read_file(file_, ec);
    if (ec)
      throw InputError(fmt::format("{}: cannot read the recipe meta file ({}); check the path and permissions",
                                   file_.string(), ec.message()));
    try {
      return load_yaml(text);
    } catch (const YamlAliasBomb& e) {
      throw InputError(fmt::format("{}:{}:{}: {} (see docs/recipe-meta.md)", file_.string(), e.mark.line + 1,
                                   e.mark.column + 1, e.msg));
    } catch (const YAML::Exception& e) {
      throw InputError(fmt::format("{}:{}:{}: invalid YAML: {}; fix the syntax (see docs/recipe-meta.md)",
                                   file_.string(), e.mark.line + 1, e.mark.column + 1, e.msg));
    }
  }

  static std::string_view kind(const YAML::Node& n) {
    switch (n.Type()) {
    case YAML::NodeType::Map: return "map";
    case YAML::NodeType::Sequence: return "list";
    case YAML::NodeType::Scalar: return "scalar";
    default: return "empty value";
    }
  }

  [[noreturn]] void fail(const YAML::Node& at, const std::string& what) const {
    if (at.Mark().is_null()) throw InputError(fmt::format("{}: {}", file_.string(), what));
    throw InputError(fmt::format("{}:{}: {}", file_.string(), at.Mark().line + 1, what));
  }

  // The node to blame: the value when it has a position, else its key.
  static const YAML::Node& blame(const YAML::Node& key, const YAML::Node& value) {
    return value.IsDefined() && !value.Mark().is_null() && !value.IsNull() ? value : key;
  }

  std::string non_empty_string(const YAML::Node& key, const YAML::Node& v, const std::string& name) const {
    if (!v.IsScalar() || v.Scalar().empty())
      fail(blame(key, v), fmt::format("'{}' must be a non-empty string (a git URL or path), got {}", name,
                                      v.IsScalar() ? "''" : std::string(kind(v))));
    return v.Scalar();
  }

  std::string reason(const YAML::Node& key, const YAML::Node& v, const std::string& name) const {
    if (!v.IsScalar() || v.Scalar().empty())
      fail(blame(key, v),
           fmt::format("'{}' must be a non-empty string saying why (e.g. \"the app publishes host port 25\"), got {}",
                       name, v.IsScalar() ? "''" : std::string(kind(v))));
    return v.Scalar();
  }

  std::string release_tag(const YAML::Node& key, const YAML::Node& v, const std::string& name) const {
    std::string text = v.IsScalar() ? v.Scalar() : "";
    if (!v.IsScalar() || !parse_version(text))
      fail(blame(key, v), fmt::format("'{}' must be a release tag of the recipe, got {}; e.g. {}: \"1.0.0+1.22.1\"",
                                      name, v.IsScalar() ? fmt::format("'{}'", text) : std::string(kind(v)), name));
    return text;
  }

  int positive_int(const YAML::Node& key, const YAML::Node& v, const std::string& name,
                   std::string_view example) const {
    std::string text = v.IsScalar() ? v.Scalar() : "";
    int n = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (!v.IsScalar() || text.empty() || ec != std::errc{} || ptr != text.data() + text.size() || n <= 0)
      fail(blame(key, v), fmt::format("'{}' must be a positive whole number of seconds, got {}; e.g. {}: {}", name,
                                      v.IsScalar() ? fmt::format("'{}'", text) : std::string(kind(v)), name, example));
    return n;
  }

  bool boolean(const YAML::Node& key, const YAML::Node& v, const std::string& name) const {
    if (v.IsScalar()) {
      if (v.Scalar() == "true") return true;
      if (v.Scalar() == "false") return false;
    }
    fail(blame(key, v), fmt::format("'{}' must be true or false, got {}", name,
                                    v.IsScalar() ? fmt::format("'{}'", v.Scalar()) : std::string(kind(v))));
  }

  std::string string(const YAML::Node& key, const YAML::Node& v, const std::string& name) const {
    if (v.IsNull()) return "";
    if (!v.IsScalar()) fail(blame(key, v), fmt::format("'{}' must be a string, got a {}", name, kind(v)));
    return v.Scalar();
  }

  static bool is_env_name(std::string_view s) {
    if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
    return std::all_of(s.begin(), s.end(), [](char c) {
      return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    });
  }

  Env env(const YAML::Node& key, const YAML::Node& v) const {
    Env out;
    if (v.IsNull()) return out;
    if (!v.IsMap())
      fail(blame(key, v),
           fmt::format("'env' must be a map of variable name to value (e.g. env: {{DOMAIN: x.example}}), "
                       "got a {}",
                       kind(v)));
    for (const auto& kv : v) {
      const std::string name = kv.first.Scalar();
      if (!is_env_name(name))
        fail(kv.first, fmt::format("env: '{}' is not a variable name; use letters, digits and '_', not starting with a "
                                   "digit",
                                   name));
      out[name] = string(kv.first, kv.second, "env." + name);
    }
    return out;
  }

  std::vector<ReadinessProbe> readiness(const YAML::Node& key, const YAML::Node& v) const {
    std::vector<ReadinessProbe> out;
    if (v.IsNull()) return out;
    if (!v.IsSequence())
      fail(blame(key, v),
           fmt::format("'readiness' must be a list of probes (- path: /, expect_status: 200), got a {}", kind(v)));
    for (const auto& item : v)
      out.push_back(probe(item));
    return out;
  }

  ReadinessProbe probe(const YAML::Node& item) const {
    if (!item.IsMap())
      fail(item, fmt::format("a readiness probe must be a map with keys {}, got a {}", fmt::join(probe_keys, ", "),
                             kind(item)));
    ReadinessProbe p;
    for (const auto& kv : item) {
      const std::string key = kv.first.Scalar();
      const YAML::Node& v = kv.second;
      if (key == "path") {
        p.path = string(kv.first, v, "readiness.path");
        if (!p.path.starts_with("/"))
          fail(blame(kv.first, v),
               fmt::format("readiness.path must start with '/', got '{}'; e.g. path: /health", p.path));
      } else if (key == "expect_status") {
        p.expect_status = whole(kv.first, v, "readiness.expect_status", "200");
        if (p.expect_status < 100 || p.expect_status > 599)
          fail(blame(kv.first, v),
               fmt::format("readiness.expect_status must be an HTTP status (100-599), got {}", p.expect_status));
      } else if (key == "attempts") {
        p.attempts = positive_int(kv.first, v, "readiness.attempts", "30");
      } else if (key == "interval") {
        p.interval = std::chrono::seconds(positive_int(kv.first, v, "readiness.interval", "2"));
      } else {
        fail(kv.first, fmt::format("unknown key '{}' in a readiness probe (known: {}){}", key,
                                   fmt::join(probe_keys, ", "), suggestion(probe_keys, key)));
      }
    }
    return p;
  }

  int whole(const YAML::Node& key, const YAML::Node& v, const std::string& name, std::string_view example) const {
    std::string text = v.IsScalar() ? v.Scalar() : "";
    int n = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (!v.IsScalar() || text.empty() || ec != std::errc{} || ptr != text.data() + text.size())
      fail(blame(key, v), fmt::format("'{}' must be a whole number, got {}; e.g. {}: {}", name,
                                      v.IsScalar() ? fmt::format("'{}'", text) : std::string(kind(v)),
                                      name.substr(name.rfind('.') + 1), example));
    return n;
  }

  // docs/recipe-meta.md, "host_access": each grant names one owner, one
  // exact access and why.
  std::vector<HostAccessGrant> grants(const YAML::Node& key, const YAML::Node& v) const {
    static constexpr std::array<std::string_view, 6> grant_keys{"service", "secret", "config",
                                                                "volume",  "access", "reason"};
    const std::string example =
        "e.g. host_access: [{service: app, access: \"bind:/var/run/docker.sock\", reason: \"routes by labels\"}]";
    std::vector<HostAccessGrant> out;
    if (v.IsNull()) return out;
    if (!v.IsSequence())
      fail(blame(key, v), fmt::format("'host_access' must be a list of grants, got a {}; {}", kind(v), example));
    for (const auto& item : v) {
      if (!item.IsMap())
        fail(item, fmt::format("a host_access grant must be a map of owner, access and reason, got a {}; {}",
                               kind(item), example));
      HostAccessGrant g;
      g.where = fmt::format("{}:{}", file_.string(), item.Mark().line + 1);
      int owners = 0;
      for (const auto& kv : item) {
        const std::string k = kv.first.Scalar();
        const std::string field = "host_access." + k;
        if (auto owner = access_owner_from_string(k)) {
          ++owners;
          g.owner_kind = *owner;
          g.owner = string(kv.first, kv.second, field);
          if (g.owner.empty()) fail(blame(kv.first, kv.second), fmt::format("{} names no {}", field, k));
        } else if (k == "access") {
          g.access = string(kv.first, kv.second, field);
          if (auto problem = access_form_problem(g.access))
            fail(blame(kv.first, kv.second), fmt::format("{}: {}", field, *problem));
        } else if (k == "reason") {
          g.reason = string(kv.first, kv.second, field);
        } else {
          fail(kv.first, fmt::format("unknown key '{}' in a host_access grant (known: {}){}", k,
                                     fmt::join(grant_keys, ", "), suggestion(grant_keys, k)));
        }
      }
      if (owners != 1)
        fail(item, fmt::format("a host_access grant names exactly one owner (service, secret, config or volume), "
                               "this one names {}; {}",
                               owners, example));
      if (g.access.empty())
        fail(item, fmt::format("a host_access grant needs 'access', the exact access; {}", example));
      if (g.reason.find_first_not_of(" \t\r\n") == std::string::npos)
        fail(item, fmt::format("the host_access grant of {} to {} {} needs a reason: say why the recipe needs it",
                               g.access, to_string(g.owner_kind), g.owner));
      out.push_back(std::move(g));
    }
    return out;
  }

  std::map<std::string, std::string> skips(const YAML::Node& key, const YAML::Node& v) const {
    std::map<std::string, std::string> out;
    if (v.IsNull()) return out;
    if (!v.IsMap())
      fail(blame(key, v), fmt::format("'expected_skips' must be a map of tier to reason (e.g. backup: \"no volumes\"), "
                                      "got a {}",
                                      kind(v)));
    for (const auto& kv : v) {
      const std::string tier = kv.first.Scalar();
      if (!tier_from_string(tier))
        fail(kv.first, fmt::format("expected_skips: '{}' is not a tier (tiers: {}){}", tier, tier_names(),
                                   suggestion(tier_name_list(), tier)));
      std::string reason = string(kv.first, kv.second, "expected_skips." + tier);
      if (reason.find_first_not_of(" \t\r\n") == std::string::npos)
        fail(blame(kv.first, kv.second),
             fmt::format("expected_skips.{} needs a reason: say why the tier does not apply (e.g. {}: \"no data to "
                         "back up\")",
                         tier, tier));
      out[tier] = reason;
    }
    return out;
  }
};

} // namespace

RecipeMeta load_meta(const fs::path& file) { return MetaReader(file).read(); }

void check_upgrade_base(const RecipeMeta& meta, const std::vector<std::string>& tags, const std::string& target) {
  if (!meta.upgrade_base) return;
  const auto& pin = *meta.upgrade_base;
  auto releases = sorted_releases(tags); // oldest first
  std::vector<std::string> newest;
  for (auto it = releases.rbegin(); it != releases.rend() && newest.size() < 5; ++it)
    newest.push_back(it->tag);
  auto listed = newest.empty() ? std::string("the repository has no release tags")
                               : fmt::format("its release tags, newest first: {}{}", fmt::join(newest, ", "),
                                             releases.size() > newest.size() ? ", ..." : "");
  auto found = std::find_if(releases.begin(), releases.end(), [&](const Version& v) { return v.tag == pin; });
  if (found == releases.end())
    throw InputError(fmt::format("{}: upgrade_base '{}' is not a release tag of the recipe ({}); pin one of them "
                                 "that is older than the version under test, or remove upgrade_base",
                                 meta.file.string(), pin, listed));
  auto under_test = parse_version(target);
  if (under_test && *under_test < *found)
    throw InputError(fmt::format("{}: upgrade_base '{}' is newer than the version under test {} ({}); pin an older "
                                 "release, or remove upgrade_base",
                                 meta.file.string(), pin, target, listed));
}

RecipeMeta load_meta_or_defaults(const fs::path& dir) {
  fs::path file = dir / "ccci.yml";
  std::error_code ec;
  if (fs::exists(file, ec)) return load_meta(file);
  return RecipeMeta{};
}

DeployTimeout choose_deploy_timeout(const std::optional<std::chrono::seconds>& option, const RecipeMeta& meta,
                                    const std::optional<std::pair<std::string, int>>& label) {
  if (option) return {*option, "--deploy-timeout", "--deploy-timeout"};
  if (meta.deploy_timeout)
    return {*meta.deploy_timeout, fmt::format("deploy_timeout in {}", meta.file.string()), "the meta"};
  if (label)
    return {std::chrono::seconds(label->second), fmt::format("label {} on service app", label->first),
            "the timeout label"};
  return {default_deploy_timeout, "ccci's default (no --deploy-timeout, meta deploy_timeout or timeout label)",
          "ccci's default"};
}

} // namespace ccci::host
