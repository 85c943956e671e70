#include "report/junit.hpp"

#include "model/errors.hpp"
#include "os/fs.hpp"
#include "report/markup.hpp"

#include <fmt/format.h>

#include <cmath>
#include <sys/stat.h>
#include <vector>

namespace fs = std::filesystem;

namespace ccci::host {

namespace {

// A failure's or skip's `message` attribute is the one line a CI system
// shows in its list; the element's text keeps the whole message.
constexpr std::size_t summary_bytes = 1000;

std::string summary_of(std::string_view text) {
  auto line = text.substr(0, text.find('\n'));
  if (line.size() <= summary_bytes) return std::string(line);
  std::size_t cut = summary_bytes;
  // Back to the start of a character: a cut inside one would become U+FFFD.
  while (cut > 0 && (static_cast<unsigned char>(line[cut]) & 0xC0) == 0x80)
    --cut;
  return std::string(line.substr(0, cut)) + "…";
}

// Seconds as the Ant/Jenkins schemas' time pattern takes them: no sign, no
// exponent.
std::string seconds(double s) { return fmt::format("{:.3f}", std::isfinite(s) && s > 0 ? s : 0.0); }

// results.json's times are `YYYY-MM-DDTHH:MM:SSZ` (now_iso8601); anything
// else (an older or hand-edited file) is left out rather than written as a
// timestamp no schema accepts.
bool iso8601_utc(std::string_view t) {
  static constexpr std::string_view shape = "dddd-dd-ddTdd:dd:ddZ";
  if (t.size() != shape.size()) return false;
  for (std::size_t i = 0; i < t.size(); ++i)
    if (shape[i] == 'd' ? (t[i] < '0' || t[i] > '9') : t[i] != shape[i]) return false;
  return true;
}

std::string_view flag(bool b) { return b ? "true" : "false"; }

// How a skipped testcase says which of skip, na and unver it is: the
// `type` attribute is the status, and the message starts with these words,
// for the CI systems that show only the message (docs/junit.md).
std::string_view skip_label(Status s) {
  switch (s) {
  case Status::skip: return "skipped";
  case Status::na: return "not attempted";
  case Status::unver: return "unverified";
  default: return "";
  }
}

struct Outcome {
  Status status; ///< pass, fail, skip, na, unver or warn
  std::string text;
};

struct Case {
  std::string name;
  double time = 0;
  Outcome outcome;
};

struct Suite {
  std::string name;
  double time = 0;
  std::vector<std::pair<std::string, std::string>> properties;
  std::vector<Case> cases;

  int failures() const {
    int n = 0;
    for (auto& c : cases)
      n += c.outcome.status == Status::fail;
    return n;
  }
  int skipped() const {
    int n = 0;
    for (auto& c : cases)
      n += c.outcome.status == Status::skip || c.outcome.status == Status::na || c.outcome.status == Status::unver;
    return n;
  }
};

std::vector<std::pair<std::string, std::string>> run_properties(const RunResults& r) {
  return {{"recipe", r.recipe},
          {"version", r.version},
          {"ref", r.ref},
          {"commit", r.commit},
          {"run_id", r.run_id},
          {"started", r.started},
          {"finished", r.finished},
          {"ccci_version", r.ccci_version},
          {"level", std::to_string(r.level.level)},
          {"level_cap.rung", r.level.rung},
          {"level_cap.reason", r.level.reason},
          {"clean_teardown", std::string(flag(r.clean_teardown))},
          {"no_secret_leak", std::string(flag(r.no_secret_leak))},
          {"kept_running", std::string(flag(r.kept_running))},
          {"exit_code", std::to_string(r.exit_code)}};
}

// The tier's own verdict as a testcase, when no check of it carries that
// verdict: a tier with no check at all (a skip, an `na`, an `unver` before
// any check ran), or one that failed or is unverified for a reason no check
// shows (zero passing checks). A tier is never invisible, and never looks
// greener than it is.
bool needs_tier_case(const TierResult& t) {
  if (t.status == Status::pass) return false;
  for (auto& c : t.checks)
    if (c.status == t.status) return false;
  return true;
}

Suite tier_suite(const RunResults& r, const TierResult& t) {
  Suite s;
  const auto tier = std::string(ccci::to_string(t.tier));
  s.name = fmt::format("{}.{}", r.recipe, tier);
  s.time = t.duration;
  s.properties = run_properties(r);
  s.properties.emplace_back("tier.status", std::string(to_string(t.status)));
  s.properties.emplace_back("tier.reason", t.reason);
  s.properties.emplace_back("tier.declared_skip", std::string(flag(t.declared_skip)));
  for (auto& c : t.checks)
    s.cases.push_back({c.name.empty() ? "(unnamed check)" : c.name, c.duration, {c.status, c.message}});
  if (needs_tier_case(t)) {
    auto text = t.status == Status::fail ? fmt::format("tier {} failed: {}", tier, t.reason) : t.reason;
    if (t.status == Status::skip && t.declared_skip) text = fmt::format("declared in the recipe meta: {}", t.reason);
    s.cases.push_back({tier, 0, {t.status, std::move(text)}});
  }
  return s;
}

// The run's two flags as testcases, so a CI system shows a leftover or a
// leak as red (docs/junit.md, "The ccci suite").
Suite flags_suite(const RunResults& r) {
  Suite s;
  s.name = fmt::format("{}.ccci", r.recipe);
  s.properties = run_properties(r);
  Outcome teardown{Status::pass, "no service, container, network, volume, secret or config of the stack remains"};
  if (r.kept_running) {
    teardown = {Status::skip,
                fmt::format("kept running on purpose (--keep-running): stack {} is the warm canonical", r.stack)};
  } else if (!r.clean_teardown) {
    std::string text =
        r.teardown_leftovers.empty()
            ? std::string("the teardown was not verified clean; ccci.log in the run directory says why")
            : fmt::format("the teardown left {} object(s) behind; `ccci gc` removes them", r.teardown_leftovers.size());
    for (auto& l : r.teardown_leftovers)
      text += "\n" + l;
    teardown = {Status::fail, std::move(text)};
  }
  s.cases.push_back({"clean_teardown", 0, std::move(teardown)});
  Outcome leaks{Status::pass, "no generated secret value in any artifact of the run"};
  if (!r.no_secret_leak) {
    std::string text = r.leak_findings.empty()
                           ? std::string("a generated secret value may be in an artifact of the run")
                           : fmt::format("{} finding(s) of a generated secret value (file, secret and form; never the "
                                         "value)",
                                         r.leak_findings.size());
    for (auto& f : r.leak_findings)
      text += "\n" + f;
    leaks = {Status::fail, std::move(text)};
  }
  s.cases.push_back({"no_secret_leak", 0, std::move(leaks)});
  return s;
}

void write_case(std::string& out, const std::string& classname, const Case& c) {
  out += fmt::format(R"(    <testcase name="{}" classname="{}" time="{}")", xml_escape_attribute(c.name),
                     xml_escape_attribute(classname), seconds(c.time));
  const auto& o = c.outcome;
  switch (o.status) {
  case Status::pass:
    if (o.text.empty()) {
      out += "/>\n";
      return;
    }
    out += fmt::format(">\n      <system-out>{}</system-out>\n", xml_escape(o.text));
    break;
  case Status::warn:
    out += fmt::format(">\n      <system-out>{}</system-out>\n",
                       xml_escape(fmt::format("unsatisfied warning (listed, not a failure): {}", o.text)));
    break;
  case Status::fail:
    out += fmt::format(">\n      <failure message=\"{}\" type=\"fail\">{}</failure>\n",
                       xml_escape_attribute(summary_of(o.text)), xml_escape(o.text));
    break;
  case Status::skip:
  case Status::na:
  case Status::unver: {
    auto text = fmt::format("{}: {}", skip_label(o.status), o.text);
    out += fmt::format(">\n      <skipped message=\"{}\" type=\"{}\">{}</skipped>\n",
                       xml_escape_attribute(summary_of(text)), to_string(o.status), xml_escape(text));
    break;
  }
  }
  out += "    </testcase>\n";
}

void write_suite(std::string& out, const Suite& s, const std::string& timestamp) {
  out += fmt::format(R"(  <testsuite name="{}" tests="{}" failures="{}" errors="0" skipped="{}" time="{}")",
                     xml_escape_attribute(s.name), s.cases.size(), s.failures(), s.skipped(), seconds(s.time));
  if (iso8601_utc(timestamp)) out += fmt::format(R"( timestamp="{}")", timestamp);
  out += ">\n    <properties>\n";
  for (auto& [name, value] : s.properties)
    out += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", xml_escape_attribute(name),
                       xml_escape_attribute(value));
  out += "    </properties>\n";
  for (auto& c : s.cases)
    write_case(out, s.name, c);
  out += "  </testsuite>\n";
}

} // namespace

std::string junit_xml(const RunResults& r) {
  std::vector<Suite> suites;
  for (Tier t : all_tiers)
    suites.push_back(tier_suite(r, r.tier(t)));
  suites.push_back(flags_suite(r));
  std::size_t tests = 0;
  int failures = 0;
  double time = 0;
  for (auto& s : suites) {
    tests += s.cases.size();
    failures += s.failures();
    time += std::isfinite(s.time) && s.time > 0 ? s.time : 0;
  }
  // No `skipped` here: the Jenkins JUnit schema (and ours, docs/junit.xsd)
  // has it on <testsuite> only.
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out += fmt::format(R"(<testsuites name="ccci" tests="{}" failures="{}" errors="0" time="{}">)", tests, failures,
                     seconds(time));
  out += "\n";
  for (auto& s : suites)
    write_suite(out, s, r.started);
  out += "</testsuites>\n";
  return out;
}

void write_junit_file(const fs::path& file, std::string_view xml) {
  write_file_atomically(file, xml, 0644);
  // An existing file keeps its mode through the atomic write; this one is
  // meant to be read by others whatever it had.
  if (::chmod(file.c_str(), 0644) != 0)
    throw InfraFailure(fmt::format("{}: written, but its mode could not be set to 0644 ({})", file.string(),
                                   std::error_code(errno, std::generic_category()).message()));
}

void JUnitWriter::run_finished(const RunResults& results, const fs::path& /*results_file*/) {
  try {
    write_junit_file(file_, junit_xml(results));
  } catch (const std::exception& e) {
    terminal_ << fmt::format("ccci: the JUnit file was not written: {}; the verdict stands, and `ccci report junit "
                             "RUN_DIR --out FILE` makes it from the run's results.json\n",
                             e.what());
  }
}

} // namespace ccci::host
