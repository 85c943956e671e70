#include "report/listener.hpp"

#include "os/fs.hpp"

namespace ccci::host {

void Listeners::line(std::string_view text) {
  for (auto* l : listeners_)
    l->line(text);
}

void Listeners::progress(std::string_view tier, std::string_view text) {
  for (auto* l : listeners_)
    l->progress(tier, text);
}

void Listeners::status(std::string_view tier, const LiveStatus& now) {
  for (auto* l : listeners_)
    l->status(tier, now);
}

void Listeners::check_done(const CheckRecord& check) {
  for (auto* l : listeners_)
    l->check_done(check);
}

void Listeners::tier_done(const TierResult& tier) {
  for (auto* l : listeners_)
    l->tier_done(tier);
}

void Listeners::run_finished(const RunResults& results, const std::filesystem::path& results_file) {
  for (auto* l : listeners_)
    l->run_finished(results, results_file);
}

namespace {

CheckRecord redacted(const CheckRecord& c, const LeakMatcher& m) {
  return {m.redact(c.name), c.status, m.redact(c.message), c.duration};
}

TierResult redacted(const TierResult& t, const LeakMatcher& m) {
  TierResult out = t;
  out.reason = m.redact(t.reason);
  for (auto& c : out.checks)
    c = redacted(c, m);
  return out;
}

void redact_all(std::vector<std::string>& v, const LeakMatcher& m) {
  for (auto& s : v)
    s = m.redact(std::move(s));
}

} // namespace

RunResults redacted(const RunResults& r, const LeakMatcher& m) {
  RunResults out = r;
  for (auto* s : {&out.recipe, &out.version, &out.ref, &out.commit, &out.run_id, &out.stack, &out.domain,
                  &out.level.rung, &out.level.reason})
    *s = m.redact(std::move(*s));
  for (auto& t : out.tiers)
    t = redacted(t, m);
  redact_all(out.teardown_leftovers, m);
  redact_all(out.evidence, m);
  redact_all(out.leak_findings, m);
  out.chains.why = m.redact(std::move(out.chains.why));
  for (auto& tool : out.environment)
    tool.version = m.redact(std::move(tool.version));
  if (out.plugin) redact_all(out.plugin->checks, m);
  return out;
}

void RedactingListener::line(std::string_view text) { next_.line(redactor_.redact(std::string(text))); }

void RedactingListener::progress(std::string_view tier, std::string_view text) {
  next_.progress(tier, redactor_.redact(std::string(text)));
}

void RedactingListener::status(std::string_view tier, const LiveStatus& now) {
  next_.status(tier, {redactor_.redact(now.state), redactor_.redact(now.clock)});
}

void RedactingListener::check_done(const CheckRecord& check) { next_.check_done(redacted(check, redactor_)); }

void RedactingListener::tier_done(const TierResult& tier) { next_.tier_done(redacted(tier, redactor_)); }

void RedactingListener::run_finished(const RunResults& results, const std::filesystem::path& results_file) {
  next_.run_finished(redacted(results, redactor_), results_file);
}

void ResultsJsonWriter::run_finished(const RunResults& results, const std::filesystem::path& results_file) {
  write_file_atomically(results_file, to_json(results));
}

} // namespace ccci::host
