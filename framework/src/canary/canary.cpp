#include "canary/canary.hpp"

#include "model/errors.hpp"
#include "os/fs.hpp"
#include "recipe/yaml_load.hpp"
#include "report/table.hpp"

#include <boost/json.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <sstream>

namespace fs = std::filesystem;
namespace json = boost::json;

namespace ccci::host {

std::string CanaryExpectation::label() const {
  return green ? "green" : fmt::format("red: {}", ccci::to_string(red_at));
}

std::string_view to_string(CanaryOutcome o) {
  switch (o) {
  case CanaryOutcome::match: return "match";
  case CanaryOutcome::false_green: return "FALSE GREEN";
  case CanaryOutcome::mismatch: return "mismatch";
  }
  return "?";
}

// ---------------------------------------------------------------- the spec

namespace {

const std::vector<std::string> canary_keys{"name",    "recipe",   "base",   "variant", "variant_from",
                                           "touches", "run_args", "expect", "flags"};
const std::vector<std::string> flag_names{"clean_teardown", "no_secret_leak"};

class SpecParser {
public:
  explicit SpecParser(std::string_view origin) : origin_(origin) {}

  std::vector<CanarySpec> parse(std::string_view text) {
    YAML::Node root;
    try {
      root = load_yaml(text);
    } catch (const YamlAliasBomb& e) {
      throw InputError(fmt::format("{}:{}:{}: {}", origin_, e.mark.line + 1, e.mark.column + 1, e.msg));
    } catch (const YAML::Exception& e) {
      throw InputError(fmt::format("{}:{}:{}: invalid YAML: {}; fix the syntax", origin_, e.mark.line + 1,
                                   e.mark.column + 1, e.msg));
    }
    if (!root.IsMap() || !root["canaries"] || !root["canaries"].IsSequence())
      fail(root, "expected a top-level 'canaries:' list (see tests/canaries/canaries.yml)");
    for (const auto& kv : root)
      if (kv.first.Scalar() != "canaries")
        fail(kv.first, fmt::format("unknown top-level key '{}' (known: canaries)", kv.first.Scalar()));
    std::vector<CanarySpec> out;
    std::set<std::string> names;
    for (const auto& node : root["canaries"]) {
      auto spec = canary(node);
      if (!names.insert(spec.name).second)
        fail(node, fmt::format("canary name '{}' is used twice; names must be unique", spec.name));
      out.push_back(std::move(spec));
    }
    if (out.empty())
      fail(root["canaries"], "the 'canaries:' list is empty; a canary run with nothing to run proves nothing");
    return out;
  }

private:
  std::string origin_;

  [[noreturn]] void fail(const YAML::Node& at, const std::string& what) const {
    if (!at.IsDefined() || at.Mark().is_null()) throw InputError(fmt::format("{}: {}", origin_, what));
    throw InputError(fmt::format("{}:{}: {}", origin_, at.Mark().line + 1, what));
  }

  std::string scalar(const YAML::Node& v, const YAML::Node& key, std::string_view name) const {
    if (!v.IsScalar() || v.Scalar().empty())
      fail(v.IsDefined() && !v.IsNull() ? v : key, fmt::format("'{}' must be a non-empty string", name));
    return v.Scalar();
  }

  std::vector<std::string> strings(const YAML::Node& v, const YAML::Node& key, std::string_view name) const {
    if (!v.IsSequence())
      fail(v.IsNull() ? key : v, fmt::format("'{}' must be a list of strings, e.g. [compose.yml]", name));
    std::vector<std::string> out;
    for (const auto& item : v)
      out.push_back(scalar(item, key, name));
    return out;
  }

  Tier tier(const YAML::Node& at, std::string_view text) const {
    auto t = tier_from_string(text);
    if (!t) fail(at, fmt::format("'{}' is not a tier (tiers: {})", text, tier_names()));
    return *t;
  }

  // `green`, `"red: install"`, or {red: install, check: install/converged}.
  CanaryExpectation expectation(const YAML::Node& v, const YAML::Node& key) const {
    CanaryExpectation e;
    auto hint = "write 'expect: green', 'expect: \"red: install\"' or 'expect: {red: install, check: NAME}'";
    if (v.IsScalar()) {
      std::string s = v.Scalar();
      if (s == "green") return e;
      if (!s.starts_with("red:")) fail(v, fmt::format("expect: '{}' is neither green nor red: <tier>; {}", s, hint));
      auto rest = s.substr(4);
      rest.erase(0, rest.find_first_not_of(' '));
      e.green = false;
      e.red_at = tier(v, rest);
      return e;
    }
    if (!v.IsMap()) fail(v.IsDefined() && !v.IsNull() ? v : key, fmt::format("'expect' is missing or empty; {}", hint));
    e.green = false;
    bool have_red = false;
    for (const auto& kv : v) {
      auto k = kv.first.Scalar();
      if (k == "red") {
        e.red_at = tier(kv.second, scalar(kv.second, kv.first, "expect.red"));
        have_red = true;
      } else if (k == "check") {
        e.failing_check = scalar(kv.second, kv.first, "expect.check");
      } else {
        fail(kv.first, fmt::format("unknown key 'expect.{}' (known: red, check)", k));
      }
    }
    if (!have_red) fail(v, fmt::format("'expect' as a map needs 'red: <tier>'; {}", hint));
    return e;
  }

  CanarySpec canary(const YAML::Node& node) const {
    if (!node.IsMap()) fail(node, "each canary is a map (name, recipe, base, expect, ...)");
    CanarySpec s;
    s.origin = fmt::format("{}:{}", origin_, node.Mark().line + 1);
    bool have_touches = false, have_expect = false;
    for (const auto& kv : node) {
      const auto& k = kv.first.Scalar();
      const auto& v = kv.second;
      if (k == "name")
        s.name = scalar(v, kv.first, k);
      else if (k == "recipe")
        s.recipe = scalar(v, kv.first, k);
      else if (k == "base")
        s.base = scalar(v, kv.first, k);
      else if (k == "variant")
        s.variant = scalar(v, kv.first, k);
      else if (k == "variant_from")
        s.variant_from = scalar(v, kv.first, k);
      else if (k == "touches") {
        s.touches = strings(v, kv.first, k);
        have_touches = true;
      } else if (k == "run_args")
        s.run_args = strings(v, kv.first, k);
      else if (k == "expect") {
        s.expect = expectation(v, kv.first);
        have_expect = true;
      } else if (k == "flags") {
        s.need_clean_teardown = s.need_no_secret_leak = false;
        for (const auto& f : strings(v, kv.first, k)) {
          if (f == "clean_teardown")
            s.need_clean_teardown = true;
          else if (f == "no_secret_leak")
            s.need_no_secret_leak = true;
          else
            fail(v, fmt::format("unknown flag '{}' (flags: {})", f, fmt::join(flag_names, ", ")));
        }
      } else {
        fail(kv.first, fmt::format("unknown key '{}' in a canary (known: {})", k, fmt::join(canary_keys, ", ")));
      }
    }
    for (auto [value, key] : {std::pair{s.name.empty(), "name"}, std::pair{s.recipe.empty(), "recipe"},
                              std::pair{s.base.empty(), "base"}, std::pair{!have_expect, "expect"}})
      if (value) fail(node, fmt::format("canary{} has no '{}'", s.name.empty() ? "" : " '" + s.name + "'", key));
    if (!s.variant_from.empty() && s.variant.empty())
      fail(node, fmt::format("canary '{}': 'variant_from' without a 'variant' patch", s.name));
    if (s.is_bad() && (!have_touches || s.touches.empty()))
      fail(node, fmt::format("canary '{}' applies a variant but declares no 'touches:' list; name the files the "
                             "variant may change (the fixture guard holds it to them)",
                             s.name));
    if (!s.is_bad() && have_touches) fail(node, fmt::format("canary '{}' declares 'touches' but no 'variant'", s.name));
    if (s.is_bad() && s.expect.green)
      fail(node, fmt::format("canary '{}' breaks its recipe on purpose (variant) but expects green; a bad canary "
                             "expects 'red: <tier>'",
                             s.name));
    return s;
  }
};

} // namespace

std::vector<CanarySpec> parse_canary_specs(std::string_view yaml_text, std::string_view origin) {
  return SpecParser(origin).parse(yaml_text);
}

std::vector<CanarySpec> load_canary_specs(const fs::path& file) {
  std::error_code ec;
  auto text = read_file(file, ec);
  if (ec)
    throw InputError(
        fmt::format("{}: cannot read the canary spec ({}); check the path (--spec FILE)", file.string(), ec.message()));
  return parse_canary_specs(text, file.string());
}

// ---------------------------------------------------------- the comparator

namespace {

bool climbable(const TierResult& t) {
  return t.status == Status::pass || (t.status == Status::skip && t.declared_skip);
}

const TierResult* first_deviation(const RunResults& r) {
  for (Tier t : all_tiers)
    for (const auto& tr : r.tiers)
      if (tr.tier == t && !climbable(tr)) return &tr;
  return nullptr;
}

std::string deviation_label(const TierResult& t) {
  auto name = ccci::to_string(t.tier);
  switch (t.status) {
  case Status::fail: return fmt::format("red: {}", name);
  case Status::unver: return fmt::format("unverified: {}", name);
  case Status::skip: return fmt::format("undeclared skip: {}", name);
  case Status::na: return fmt::format("not attempted: {}", name);
  case Status::warn: // a check status only; a tier with warnings passes
  case Status::pass: break;
  }
  return "green";
}

bool has_check(const TierResult& t, Status s) {
  return std::any_of(t.checks.begin(), t.checks.end(), [&](const CheckRecord& c) { return c.status == s; });
}

} // namespace

std::string observed_label(const RunResults& r) {
  const auto* d = first_deviation(r);
  return d ? deviation_label(*d) : "green";
}

CanaryVerdict compare_canary(const CanarySpec& spec, const RunResults& r) {
  CanaryVerdict v;
  v.got = observed_label(r);
  const auto& e = spec.expect;
  const std::string expected = e.label();
  bool false_green = false;
  const auto* dev = first_deviation(r);

  if (v.got != expected) {
    std::string detail = dev ? fmt::format(" ({})", dev->reason) : "";
    if (!e.green) {
      const auto& target = r.tier(e.red_at);
      if (v.got == "green" || target.status == Status::pass) {
        false_green = true;
        v.reasons.push_back(fmt::format("FALSE GREEN: a canary broken on purpose must go red at {}, but {} passed; "
                                        "got {}{}",
                                        ccci::to_string(e.red_at), ccci::to_string(e.red_at), v.got, detail));
      }
    }
    if (!false_green) v.reasons.push_back(fmt::format("expected {}, got {}{}", expected, v.got, detail));
  } else if (!e.green && !e.failing_check.empty()) {
    const auto& target = r.tier(e.red_at);
    bool found = std::any_of(target.checks.begin(), target.checks.end(), [&](const CheckRecord& c) {
      return c.name == e.failing_check && c.status == Status::fail;
    });
    if (!found)
      v.reasons.push_back(fmt::format("red at {} as expected, but not for the expected reason: check '{}' did not "
                                      "fail ({})",
                                      ccci::to_string(e.red_at), e.failing_check, target.reason));
  }

  // Teeth: a pass needs a passing check; a fail needs a failing one.
  for (const auto& t : r.tiers) {
    if (t.status == Status::pass && !has_check(t, Status::pass))
      v.reasons.push_back(fmt::format("{} passed with no passing check (no teeth): a tier with zero checks is never "
                                      "a pass",
                                      ccci::to_string(t.tier)));
    if (t.status == Status::fail && !has_check(t, Status::fail))
      v.reasons.push_back(fmt::format("{} failed but none of its {} check(s) failed: the verdict is not backed by a "
                                      "check",
                                      ccci::to_string(t.tier), t.checks.size()));
  }

  int want_exit = e.green ? 0 : 1;
  if (r.exit_code != want_exit)
    v.reasons.push_back(
        fmt::format("exit status {} disagrees with {} (expected {})", r.exit_code, expected, want_exit));
  if (spec.need_clean_teardown && !r.clean_teardown)
    v.reasons.push_back(fmt::format("clean_teardown is false: left behind {}",
                                    r.teardown_leftovers.empty()
                                        ? std::string("(unlisted)")
                                        : fmt::format("{}", fmt::join(r.teardown_leftovers, ", "))));
  if (spec.need_no_secret_leak && !r.no_secret_leak)
    v.reasons.push_back("no_secret_leak is false: a generated secret value appears in the run's artifacts");

  v.outcome =
      false_green ? CanaryOutcome::false_green : (v.reasons.empty() ? CanaryOutcome::match : CanaryOutcome::mismatch);
  return v;
}

CanaryVerdict no_results_verdict(int exit_code, std::string_view why) {
  CanaryVerdict v;
  v.outcome = CanaryOutcome::mismatch;
  v.got = exit_code == 2 ? "bad input (exit 2)" : fmt::format("no results (exit {})", exit_code);
  v.reasons.push_back(fmt::format("the run wrote no results.json: {}", why));
  return v;
}

std::vector<std::string> make_fixture_argv(const CanarySpec& spec, const fs::path& source_dir, const fs::path& dest,
                                           bool base_only, const std::vector<fs::path>& extra_variants) {
  auto base = spec.base.is_absolute() ? spec.base : source_dir / spec.base;
  std::vector<std::string> argv{(source_dir / "scripts" / "make-recipe-repo").string(), (base / "recipe").string(),
                                dest.string(), "--force"};
  if (!base_only && spec.is_bad()) {
    auto patch = spec.variant.is_absolute() ? spec.variant : base / spec.variant;
    if (spec.variant_from.empty())
      argv.insert(argv.end(), {"--variant", patch.string()});
    else
      argv.insert(argv.end(), {"--variant-from", spec.variant_from, patch.string()});
  }
  for (const auto& p : extra_variants)
    argv.insert(argv.end(), {"--variant", p.string()});
  return argv;
}

// ----------------------------------------------------------- the guard

Tree parse_ls_tree(std::string_view text) {
  // "<mode> SP <type> SP <object> SP+ <size> TAB <path>"
  Tree out;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    auto tab = line.find('\t');
    if (tab == std::string::npos) continue;
    std::istringstream fields(line.substr(0, tab));
    std::string mode, type, object, size;
    fields >> mode >> type >> object >> size;
    if (type != "blob") continue;
    out[line.substr(tab + 1)] = {object, static_cast<std::uint64_t>(std::stoull(size))};
  }
  return out;
}

std::vector<std::string> fixture_tag_problems(std::string_view tag, const Tree& base, const Tree& fixture,
                                              const std::vector<std::string>& touches) {
  std::vector<std::string> out;
  auto touched = [&](const std::string& p) { return std::find(touches.begin(), touches.end(), p) != touches.end(); };
  std::set<std::string> paths;
  for (const auto& [p, _] : base)
    paths.insert(p);
  for (const auto& [p, _] : fixture)
    paths.insert(p);
  for (const auto& p : paths) {
    auto b = base.find(p);
    auto f = fixture.find(p);
    bool differs = b == base.end() || f == fixture.end() || b->second.blob != f->second.blob;
    if (!differs) continue;
    if (!touched(p)) {
      out.push_back(fmt::format("{}: {} {} but it is not in the canary's 'touches' list", tag, p,
                                b == base.end()      ? "was added"
                                : f == fixture.end() ? "was removed"
                                                     : "differs"));
      continue;
    }
    if (b != base.end() && b->second.size > 0 && (f == fixture.end() || f->second.size == 0))
      out.push_back(
          fmt::format("{}: {} was {} by the variant ({} bytes in the base): a targeted change never empties a "
                      "file",
                      tag, p, f == fixture.end() ? "removed" : "emptied", b->second.size));
  }
  return out;
}

// ----------------------------------------------------------- the report

std::string canary_table(const std::vector<CanaryRow>& rows) {
  TextTable table({{"canary"}, {"expected"}, {"got"}, {"verdict"}});
  for (const auto& r : rows)
    table.add_row({r.name, r.expected, r.verdict.got, std::string(to_string(r.verdict.outcome))}, r.verdict.reasons);
  return table.render();
}

std::string canary_report_json(const std::vector<CanaryRow>& rows, std::string_view spec_file, std::string_view started,
                               std::string_view finished) {
  json::array canaries;
  bool all = !rows.empty();
  for (const auto& r : rows) {
    json::array reasons;
    for (const auto& why : r.verdict.reasons)
      reasons.emplace_back(why);
    canaries.push_back(json::object{{"name", r.name},
                                    {"expected", r.expected},
                                    {"got", r.verdict.got},
                                    {"verdict", to_string(r.verdict.outcome)},
                                    {"match", r.verdict.ok()},
                                    {"reasons", reasons},
                                    {"run_id", r.run_id},
                                    {"run_dir", r.run_dir},
                                    {"exit_code", r.exit_code},
                                    {"duration", r.seconds}});
    all = all && r.verdict.ok();
  }
  json::object doc{{"schema", 1},          {"spec", spec_file}, {"started", started},
                   {"finished", finished}, {"all_match", all},  {"canaries", canaries}};
  return json::serialize(doc) + "\n";
}

} // namespace ccci::host
