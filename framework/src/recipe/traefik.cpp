#include "recipe/traefik.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <set>
#include <stdexcept>

namespace ccci::host {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Traefik reads booleans as Go's strconv.ParseBool does.
bool traefik_true(std::string_view v) {
  return v == "true" || v == "True" || v == "TRUE" || v == "1" || v == "t" || v == "T";
}

std::optional<int> to_int(std::string_view s) {
  int v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

// ---- the rule language: matchers joined by &&, ||, ! and parentheses ----

struct Matcher {
  std::string name;
  std::vector<std::string> args;
};

struct Expr {
  enum class Kind { matcher, all, any, negation } kind = Kind::matcher;
  Matcher matcher;
  std::vector<Expr> operands;
};

struct RuleError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class RuleParser {
public:
  explicit RuleParser(std::string_view rule) : s_(rule) {}

  Expr parse() {
    auto e = parse_or();
    skip_space();
    if (pos_ < s_.size()) fail(fmt::format("unexpected '{}'", s_.substr(pos_, 12)));
    return e;
  }

private:
  std::string_view s_;
  std::size_t pos_ = 0;

  [[noreturn]] void fail(const std::string& what) const {
    throw RuleError(fmt::format("{} at character {}", what, pos_ + 1));
  }
  void skip_space() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_])))
      ++pos_;
  }
  bool consume(std::string_view token) {
    skip_space();
    if (s_.substr(pos_, token.size()) != token) return false;
    pos_ += token.size();
    return true;
  }
  Expr parse_or() {
    Expr first = parse_and();
    if (!consume("||")) return first;
    Expr e{Expr::Kind::any, {}, {std::move(first)}};
    do
      e.operands.push_back(parse_and());
    while (consume("||"));
    return e;
  }
  Expr parse_and() {
    Expr first = parse_unary();
    if (!consume("&&")) return first;
    Expr e{Expr::Kind::all, {}, {std::move(first)}};
    do
      e.operands.push_back(parse_unary());
    while (consume("&&"));
    return e;
  }
  Expr parse_unary() {
    if (consume("!")) return {Expr::Kind::negation, {}, {parse_unary()}};
    if (consume("(")) {
      auto e = parse_or();
      if (!consume(")")) fail("a '(' without its ')'");
      return e;
    }
    skip_space();
    Matcher m;
    while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_'))
      m.name += s_[pos_++];
    if (m.name.empty())
      fail(pos_ < s_.size() ? fmt::format("expected a matcher, got '{}'", s_[pos_]) : "a rule that ends early");
    if (!consume("(")) fail(fmt::format("expected '(' after {}", m.name));
    do
      m.args.push_back(parse_string());
    while (consume(","));
    if (!consume(")")) fail(fmt::format("expected ')' closing {}(", m.name));
    return {Expr::Kind::matcher, std::move(m), {}};
  }
  // Go's string literals, as Traefik takes them: `raw` or "with \escapes".
  std::string parse_string() {
    skip_space();
    if (pos_ >= s_.size() || (s_[pos_] != '`' && s_[pos_] != '"')) fail("expected a `quoted` argument");
    char quote = s_[pos_++];
    std::string out;
    while (pos_ < s_.size() && s_[pos_] != quote) {
      if (quote == '"' && s_[pos_] == '\\' && pos_ + 1 < s_.size()) ++pos_;
      out += s_[pos_++];
    }
    if (pos_ >= s_.size()) fail("an argument without its closing quote");
    ++pos_;
    return out;
  }
};

// The matchers the edge can serve; Traefik v2's HostHeader is Host by
// another name.
bool is_host(const std::string& m) { return m == "Host" || m == "HostHeader"; }
bool known_matcher(const std::string& m) { return is_host(m) || m == "HostRegexp" || m == "Path" || m == "PathPrefix"; }

void collect_unknown(const Expr& e, std::set<std::string>& unknown, bool& negated) {
  if (e.kind == Expr::Kind::negation) negated = true;
  if (e.kind == Expr::Kind::matcher && !known_matcher(e.matcher.name)) unknown.insert(e.matcher.name);
  for (auto& o : e.operands)
    collect_unknown(o, unknown, negated);
}

// The rule as alternatives of conjunctions (disjunctive normal form), the
// shape in which each alternative becomes server blocks and locations.
using Conjunction = std::vector<const Matcher*>;
constexpr std::size_t max_alternatives = 64;

std::vector<Conjunction> alternatives(const Expr& e) {
  switch (e.kind) {
  case Expr::Kind::matcher: return {{&e.matcher}};
  case Expr::Kind::any: {
    std::vector<Conjunction> out;
    for (auto& o : e.operands)
      for (auto& c : alternatives(o))
        out.push_back(std::move(c));
    if (out.size() > max_alternatives) throw RuleError(fmt::format("more than {} alternatives", max_alternatives));
    return out;
  }
  case Expr::Kind::all: {
    std::vector<Conjunction> out{{}};
    for (auto& o : e.operands) {
      std::vector<Conjunction> next;
      for (auto& left : out)
        for (auto& right : alternatives(o)) {
          auto c = left;
          c.insert(c.end(), right.begin(), right.end());
          next.push_back(std::move(c));
        }
      if (next.size() > max_alternatives) throw RuleError(fmt::format("more than {} alternatives", max_alternatives));
      out = std::move(next);
    }
    return out;
  }
  case Expr::Kind::negation: break;
  }
  throw RuleError("negation"); // refused before: collect_unknown reports it
}

struct PathTest {
  PathMatch match = PathMatch::any;
  std::string path;
  bool operator==(const PathTest&) const = default;
};

// What both tests let through, if anything.
std::optional<PathTest> both(const PathTest& a, const PathTest& b) {
  if (a.match == PathMatch::any) return b;
  if (b.match == PathMatch::any) return a;
  if (a.match == PathMatch::exact && b.match == PathMatch::exact)
    return a.path == b.path ? std::optional(a) : std::nullopt;
  if (a.match == PathMatch::exact) return a.path.starts_with(b.path) ? std::optional(a) : std::nullopt;
  if (b.match == PathMatch::exact) return b.path.starts_with(a.path) ? std::optional(b) : std::nullopt;
  if (a.path.starts_with(b.path)) return a;
  if (b.path.starts_with(a.path)) return b;
  return std::nullopt;
}

bool valid_label_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-'; }

bool printable_unquoted(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7f && c != '"' && c != '\'';
  });
}

std::string quote_regex(std::string_view literal) {
  std::string out;
  for (char c : literal) {
    if (std::string_view("\\.^$|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

// A `{` that opens a v2 template variable: `{name}` or `{name:`.
bool opens_template_variable(std::string_view s, std::size_t at) {
  std::size_t i = at + 1;
  if (i >= s.size() || !(std::isalpha(static_cast<unsigned char>(s[i])) || s[i] == '_')) return false;
  while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_'))
    ++i;
  return i < s.size() && (s[i] == '}' || s[i] == ':');
}

/// One router's labels, gathered from the service that carries them.
struct RouterLabels {
  std::string owner; ///< compose service with the labels
  std::optional<std::string> rule, service, priority;
};

struct LoadBalancer {
  std::string owner;
  std::string port_label; ///< the full label key, for notes
  std::optional<std::string> port;
  std::optional<int> usable_port;
};

class Reader {
public:
  explicit Reader(const std::vector<ComposeService>& services) {
    for (auto& s : services)
      gather(s);
    for (auto& [name, lb] : services_)
      check_port(name, lb);
    for (auto& [name, router] : routers_)
      route(name, router);
    // Traefik tries routers highest priority first; equal priorities in
    // router-name order here, so the edge's order never depends on the
    // order of labels.
    std::stable_sort(out_.routes.begin(), out_.routes.end(),
                     [](const Route& a, const Route& b) { return a.priority > b.priority; });
  }
  TraefikRoutes result() && { return std::move(out_); }

private:
  TraefikRoutes out_;
  std::map<std::string, RouterLabels> routers_;
  std::map<std::string, LoadBalancer> services_;
  std::map<std::string, std::vector<std::string>> services_of_; ///< compose service -> its Traefik services

  void note(std::string s) { out_.notes.push_back(std::move(s)); }

  void gather(const ComposeService& s) {
    auto enable = s.labels.find("traefik.enable");
    bool enabled = enable != s.labels.end() && traefik_true(enable->second);
    bool has_router = false, noted_layer4 = false;
    for (auto& [key, value] : s.labels) {
      if (!key.starts_with("traefik.")) continue;
      if (!enabled) {
        if (key.starts_with("traefik.http.routers.") && key.ends_with(".rule"))
          note(fmt::format("service '{}': {} is ignored, as Traefik ignores it: the service has no "
                           "traefik.enable=true",
                           s.name, key));
        continue;
      }
      if ((key.starts_with("traefik.tcp.") || key.starts_with("traefik.udp.")) && !noted_layer4) {
        note(fmt::format("service '{}': its {} routers are not served: ccci's edge routes HTTP only", s.name,
                         key.substr(8, 3)));
        noted_layer4 = true;
      }
      for (auto kind : {"routers", "services"}) {
        auto prefix = fmt::format("traefik.http.{}.", kind);
        if (!key.starts_with(prefix)) continue;
        auto rest = std::string_view(key).substr(prefix.size());
        auto dot = rest.find('.');
        if (dot == std::string_view::npos || dot == 0) continue;
        std::string name(rest.substr(0, dot));
        // Traefik's label keys are case-insensitive after the name.
        auto field = lower(rest.substr(dot + 1));
        if (std::string_view(kind) == "routers") {
          auto& r = routers_[name];
          if (r.owner.empty()) r.owner = s.name;
          has_router = true;
          if (field == "rule") r.rule = value;
          if (field == "service") r.service = value;
          if (field == "priority") r.priority = value;
        } else {
          auto [it, fresh] = services_.try_emplace(name);
          if (fresh) {
            it->second.owner = s.name;
            services_of_[s.name].push_back(name);
          } else if (it->second.owner != s.name) {
            note(fmt::format("traefik service '{}' is defined on services '{}' and '{}'; the edge sends its "
                             "routers to '{}' only",
                             name, it->second.owner, s.name, it->second.owner));
            continue;
          }
          if (field == "loadbalancer.server.port") {
            it->second.port_label = key;
            it->second.port = value;
          }
        }
      }
    }
    if (enabled && !has_router)
      note(fmt::format("service '{}': traefik.enable=true but no traefik.http.routers.<name>.rule label; Traefik "
                       "would make a router from its own default rule, which ccci's edge does not know, so nothing "
                       "routes to it",
                       s.name));
  }

  void check_port(const std::string& name, LoadBalancer& lb) {
    if (!lb.port) {
      note(
          fmt::format("traefik service '{}' (on service '{}') has no traefik.http.services.{}.loadbalancer.server.port "
                      "label; on a swarm Traefik cannot find the port without it, so its routers are skipped",
                      name, lb.owner, name));
      return;
    }
    auto port = to_int(*lb.port);
    if (!port || *port <= 0 || *port > 65535) {
      note(fmt::format("{}={} (on service '{}') is not a port number; routers to traefik service '{}' are skipped",
                       lb.port_label, *lb.port, lb.owner, name));
      return;
    }
    lb.usable_port = *port;
  }

  // Where the router's requests go: the named service, else the one service
  // its own container defines (Traefik's rule for a router without one).
  const LoadBalancer* target(const std::string& name, const RouterLabels& r) {
    auto skip = [&](const std::string& why) {
      note(fmt::format("router '{}' (on service '{}') is skipped: {}", name, r.owner, why));
      return nullptr;
    };
    std::string svc;
    if (r.service) {
      svc = *r.service;
      auto at = svc.find('@');
      if (at != std::string::npos) {
        auto provider = svc.substr(at + 1);
        if (provider != "docker" && provider != "swarm")
          return skip(fmt::format(
              "traefik.http.routers.{}.service={} is {}; ccci's edge serves only the stack's own services", name, svc,
              provider == "internal" ? "one of Traefik's own (its API, dashboard or noop)"
                                     : "a service of Traefik's '" + provider + "' provider"));
        svc.resize(at);
      }
    } else {
      auto& own = services_of_[r.owner];
      if (own.empty())
        return skip(fmt::format("it has no .service label and service '{}' defines no "
                                "traefik.http.services.<name>.loadbalancer.server.port",
                                r.owner));
      if (own.size() > 1)
        return skip(fmt::format("it has no .service label and service '{}' defines several traefik services ({}); "
                                "Traefik refuses such a router: add traefik.http.routers.{}.service=<one of them>",
                                r.owner, fmt::join(own, ", "), name));
      svc = own.front();
    }
    auto it = services_.find(svc);
    if (it == services_.end())
      return skip(fmt::format("it names traefik service '{}', which no service of the stack defines "
                              "(traefik.http.services.{}.loadbalancer.server.port)",
                              svc, svc));
    if (!it->second.usable_port) return skip(fmt::format("its traefik service '{}' has no usable port (above)", svc));
    return &it->second;
  }

  void route(const std::string& name, const RouterLabels& r) {
    auto skip = [&](const std::string& why) {
      note(fmt::format("router '{}' (on service '{}') is skipped: {}", name, r.owner, why));
    };
    if (!r.rule) return skip(fmt::format("it has no traefik.http.routers.{}.rule", name));
    if (auto problem = route_name_problem(name))
      return skip(fmt::format("its name is not one the edge serves: {}", *problem));
    const LoadBalancer* lb = target(name, r);
    if (!lb) return;
    if (auto problem = route_name_problem(lb->owner))
      return skip(
          fmt::format("its service's name '{}' is not a service name the edge serves: {}", lb->owner, *problem));
    int priority = static_cast<int>(r.rule->size());
    if (r.priority) {
      auto p = to_int(*r.priority);
      if (!p) return skip(fmt::format("traefik.http.routers.{}.priority={} is not a whole number", name, *r.priority));
      priority = *p;
    }
    Expr rule;
    try {
      rule = RuleParser(*r.rule).parse();
    } catch (const RuleError& e) {
      return skip(fmt::format("its rule '{}' does not parse: {}", *r.rule, e.what()));
    }
    std::set<std::string> unknown;
    bool negated = false;
    collect_unknown(rule, unknown, negated);
    if (!unknown.empty())
      return skip(fmt::format("its rule uses {}, which ccci's edge cannot match (it serves Host, HostRegexp, Path and "
                              "PathPrefix)",
                              fmt::join(unknown, ", ")));
    if (negated) return skip("its rule negates a matcher (!), which ccci's edge cannot match");
    std::vector<Conjunction> alts;
    try {
      alts = alternatives(rule);
    } catch (const RuleError& e) {
      return skip(fmt::format("its rule has {}", e.what()));
    }
    std::size_t first = out_.routes.size();
    for (auto& conj : alts)
      add_alternative(name, r, *lb, priority, conj);
    merge_hosts(first);
  }

  void add_alternative(const std::string& name, const RouterLabels& r, const LoadBalancer& lb, int priority,
                       const Conjunction& conj) {
    auto skip = [&](const std::string& why) {
      note(fmt::format("router '{}' (on service '{}', label traefik.http.routers.{}.rule): an alternative of its rule "
                       "is skipped: {}",
                       name, r.owner, name, why));
    };
    std::optional<std::vector<std::string>> hosts;
    std::vector<std::string> regexes;
    int regex_matchers = 0;
    std::vector<PathTest> paths{{}};
    for (const Matcher* m : conj) {
      if (is_host(m->name)) {
        std::vector<std::string> names;
        for (auto& a : m->args)
          names.push_back(lower(a));
        if (hosts)
          std::erase_if(*hosts,
                        [&](const std::string& h) { return std::find(names.begin(), names.end(), h) == names.end(); });
        else
          hosts = names;
      } else if (m->name == "HostRegexp") {
        ++regex_matchers;
        for (auto& a : m->args)
          regexes.push_back(host_regexp_pattern(a));
      } else {
        auto match = m->name == "Path" ? PathMatch::exact : PathMatch::prefix;
        std::vector<PathTest> next;
        for (auto& a : m->args) {
          if (auto problem = route_path_problem(a)) return skip(fmt::format("{}(`{}`): {}", m->name, a, *problem));
          PathTest test{match == PathMatch::prefix && a == "/" ? PathMatch::any : match, a};
          if (test.match == PathMatch::any) test.path.clear();
          for (auto& p : paths)
            if (auto b = both(p, test); b && std::find(next.begin(), next.end(), *b) == next.end()) next.push_back(*b);
        }
        paths = std::move(next);
      }
    }
    if (regex_matchers > 1 || (regex_matchers == 1 && hosts))
      return skip("it joins HostRegexp and another host matcher with &&, which ccci's edge cannot match");
    if (!hosts && regexes.empty())
      return skip("it matches requests for any host; ccci's edge routes by host name, so add a Host() matcher");
    if (hosts && hosts->empty()) return skip("its Host() matchers joined by && leave no host");
    if (paths.empty()) return skip("its path matchers joined by && leave no path");
    std::vector<std::string> names;
    if (hosts)
      for (auto& h : *hosts) {
        if (auto problem = route_host_problem(h))
          note(fmt::format("router '{}' (on service '{}', label traefik.http.routers.{}.rule): host {} is skipped",
                           name, r.owner, name, *problem));
        else if (std::find(names.begin(), names.end(), h) == names.end())
          names.push_back(h);
      }
    std::vector<std::string> patterns;
    for (auto& re : regexes) {
      if (auto problem = route_host_regex_problem(re))
        note(fmt::format("router '{}' (on service '{}', label traefik.http.routers.{}.rule): HostRegexp `{}` is "
                         "skipped: {}",
                         name, r.owner, name, re, *problem));
      else
        patterns.push_back(re);
    }
    for (auto& p : paths) {
      Route base{name, lb.owner, *lb.usable_port, {}, {}, p.match, p.path, priority};
      if (!names.empty()) {
        base.hosts = names;
        out_.routes.push_back(base);
      }
      for (auto& re : patterns) {
        Route rx = base;
        rx.host_regex = re;
        out_.routes.push_back(std::move(rx));
      }
    }
  }

  // `Host(a) || Host(b)` is one route with two hosts, as `Host(a, b)` is.
  void merge_hosts(std::size_t first) {
    auto& rs = out_.routes;
    for (std::size_t i = first; i < rs.size(); ++i)
      for (std::size_t j = i + 1; j < rs.size();) {
        if (rs[i].host_regex.empty() && rs[j].host_regex.empty() && rs[i].path_match == rs[j].path_match &&
            rs[i].path == rs[j].path) {
          for (auto& h : rs[j].hosts)
            if (std::find(rs[i].hosts.begin(), rs[i].hosts.end(), h) == rs[i].hosts.end()) rs[i].hosts.push_back(h);
          rs.erase(rs.begin() + static_cast<std::ptrdiff_t>(j));
        } else {
          ++j;
        }
      }
  }
};

} // namespace

TraefikRoutes read_traefik_routes(const std::vector<ComposeService>& services) { return Reader(services).result(); }

std::optional<std::string> route_host_problem(std::string_view host) {
  auto not_a_name = [&](std::string_view why) {
    return fmt::format("'{}' is not a host name ({}); the edge serves host names only: letters, digits and '-' in "
                       "dot-separated labels",
                       host, why);
  };
  if (host.empty()) return not_a_name("it is empty");
  if (host.size() > 253) return not_a_name("longer than 253 characters");
  std::size_t start = 0;
  while (true) {
    auto dot = host.find('.', start);
    auto label = host.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty()) return not_a_name("an empty label");
    if (label.size() > 63) return not_a_name("a label longer than 63 characters");
    if (!std::all_of(label.begin(), label.end(), valid_label_char))
      return not_a_name(fmt::format("'{}' has a character other than a letter, digit or '-'", label));
    if (label.front() == '-' || label.back() == '-')
      return not_a_name(fmt::format("'{}' starts or ends with '-'", label));
    if (dot == std::string_view::npos) return std::nullopt;
    start = dot + 1;
  }
}

std::optional<std::string> route_path_problem(std::string_view path) {
  if (!path.starts_with('/')) return "a path must start with '/'";
  if (path.size() > 1024) return "a path longer than 1024 characters";
  if (!printable_unquoted(path)) return "a path with a space, a quote or a control character";
  if (path.find('{') != std::string_view::npos)
    return "a {name:regex} path template (Traefik v2), which ccci's edge does not match";
  // Only what cannot end or extend an nginx directive reaches the edge:
  // RFC 3986's unreserved characters, '/' and %XX escapes.
  for (std::size_t i = 0; i < path.size(); ++i) {
    auto c = static_cast<unsigned char>(path[i]);
    if (std::isalnum(c) || c == '/' || c == '-' || c == '.' || c == '_' || c == '~') continue;
    if (c == '%' && i + 2 < path.size() && std::isxdigit(static_cast<unsigned char>(path[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(path[i + 2]))) {
      i += 2;
      continue;
    }
    return fmt::format("a path with '{}' at character {}; the edge serves plain paths only: '/', letters, digits, "
                       "'-', '.', '_', '~' and %XX escapes",
                       path[i], i + 1);
  }
  if (path.find("..") != std::string_view::npos) return "a path with '..'";
  return std::nullopt;
}

std::optional<std::string> route_name_problem(std::string_view name) {
  if (name.empty()) return "it is empty";
  if (name.size() > 255) return "it is longer than 255 characters";
  if (!std::isalnum(static_cast<unsigned char>(name.front()))) return "it does not start with a letter or digit";
  for (char c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.')
      return fmt::format("it has '{}'; only letters, digits, '-', '_' and '.' are served", c);
  return std::nullopt;
}

std::optional<std::string> route_problem(const Route& r) {
  auto say = [](std::string_view what, std::string_view value, const std::string& why) {
    return fmt::format("{} '{}': {}", what, value, why);
  };
  if (auto p = route_name_problem(r.router)) return say("router", r.router, *p);
  if (auto p = route_name_problem(r.service)) return say("service", r.service, *p);
  if (r.port < 1 || r.port > 65535) return fmt::format("port {} is not a port number (1-65535)", r.port);
  if (r.hosts.empty() == r.host_regex.empty()) return std::string("a route needs host names or one HostRegexp");
  for (auto& h : r.hosts)
    if (auto p = route_host_problem(h)) return *p;
  if (!r.host_regex.empty())
    if (auto p = route_host_regex_problem(r.host_regex)) return say("HostRegexp", r.host_regex, *p);
  if (r.path_match != PathMatch::any)
    if (auto p = route_path_problem(r.path)) return say("path", r.path, *p);
  return std::nullopt;
}

std::optional<std::string> route_host_regex_problem(std::string_view regex) {
  if (regex.empty()) return "it is empty";
  if (regex.size() > 1024) return "it is longer than 1024 characters";
  if (!printable_unquoted(regex)) return "it has a space, a quote or a control character";
  // A whitelist: what a host pattern needs, nothing that nginx's parser or
  // its variables could read as anything but the regex (docs/routes.md,
  // "What reaches nginx").
  auto refuse = [&](std::size_t at, std::string_view why) {
    return fmt::format("{} at character {}; a HostRegexp may use letters, digits, '-', '_', '.', classes [..], "
                       "groups (..) and (?:..), '|', '?', '*', '+', {{n,m}}, '^', '$' as the end anchor and "
                       "backslash escapes of these",
                       why, at + 1);
  };
  for (std::size_t i = 0; i < regex.size(); ++i) {
    auto c = static_cast<unsigned char>(regex[i]);
    if (std::isalnum(c) || std::string_view("-_.^|?*+()[]").find(static_cast<char>(c)) != std::string_view::npos) {
      if (c == '(' && i + 1 < regex.size() && regex[i + 1] == '?') {
        if (regex.substr(i + 1, 2) != "?:") return refuse(i, "a group other than (?:..)");
        i += 2; // the ':' of (?:
      }
      continue;
    }
    if (c == '\\') {
      if (i + 1 < regex.size() &&
          std::string_view("-_.^$|?*+()[]{}\\dw").find(regex[i + 1]) != std::string_view::npos) {
        ++i;
        continue;
      }
      if (i + 1 < regex.size()) return refuse(i, fmt::format("the escape '\\{}'", regex[i + 1]));
      continue; // a lone backslash at the end: reported below
    }
    if (c == '$') {
      if (i + 1 == regex.size() || regex[i + 1] == ')' || regex[i + 1] == '|') continue;
      return refuse(i, "'$' other than as an end anchor");
    }
    if (c == '{') {
      auto close = regex.find('}', i);
      auto body = close == std::string_view::npos ? std::string_view{} : regex.substr(i + 1, close - i - 1);
      bool quantifier = !body.empty() && std::isdigit(static_cast<unsigned char>(body.front())) &&
                        std::all_of(body.begin(), body.end(),
                                    [](char q) { return std::isdigit(static_cast<unsigned char>(q)) || q == ','; }) &&
                        std::count(body.begin(), body.end(), ',') <= 1;
      if (!quantifier) return refuse(i, "a '{' that is not a {n}, {n,} or {n,m} quantifier");
      i = close;
      continue;
    }
    return refuse(i, fmt::format("'{}'", static_cast<char>(c)));
  }
  // Traefik refuses a router whose regex does not compile, and nginx would
  // refuse the whole edge configuration: the structural errors both engines
  // agree on (unbalanced groups or classes) are caught here.
  int depth = 0;
  bool in_class = false;
  for (std::size_t i = 0; i < regex.size(); ++i) {
    char c = regex[i];
    if (c == '\\') {
      if (++i == regex.size()) return "it ends in a lone backslash";
    } else if (in_class) {
      in_class = c != ']';
    } else if (c == '[') {
      in_class = true;
      if (i + 1 < regex.size() && regex[i + 1] == '^') ++i;
      if (i + 1 < regex.size() && regex[i + 1] == ']') ++i; // a leading ']' is literal
    } else if (c == '(') {
      ++depth;
    } else if (c == ')' && --depth < 0) {
      return "a ')' without its '('";
    }
  }
  if (in_class) return "a '[' without its ']'";
  if (depth > 0) return "a '(' without its ')'";
  return std::nullopt;
}

std::string host_regexp_pattern(std::string_view arg) {
  bool v2 = false;
  for (std::size_t i = 0; i < arg.size() && !v2; ++i)
    v2 = arg[i] == '{' && opens_template_variable(arg, i);
  if (!v2) return std::string(arg);
  // v2 templates match the whole host; a variable without a regex is one label.
  std::string out = "^";
  std::size_t i = 0;
  while (i < arg.size()) {
    auto open = arg.find('{', i);
    while (open != std::string_view::npos && !opens_template_variable(arg, open))
      open = arg.find('{', open + 1);
    out += quote_regex(arg.substr(i, open == std::string_view::npos ? std::string_view::npos : open - i));
    if (open == std::string_view::npos) break;
    int depth = 0;
    std::size_t close = open;
    for (; close < arg.size(); ++close) {
      if (arg[close] == '{') ++depth;
      if (arg[close] == '}' && --depth == 0) break;
    }
    auto var = arg.substr(open + 1, close - open - 1);
    auto colon = var.find(':');
    out += colon == std::string_view::npos ? "[^.]+" : fmt::format("(?:{})", var.substr(colon + 1));
    i = close + 1;
  }
  return out + "$";
}

} // namespace ccci::host
