// The dashboard's pages, rendered from a SiteModel (report/site_model.hpp).
// Pure: a model in, the text of one page out; the writer (report/site.cpp)
// decides where it goes. Every string that came from a run or a summary is
// HTML-escaped; every link is relative; no script, no remote asset; a status
// is always a word and a symbol beside its colour (docs/architecture.md,
// "Dashboard").
#pragma once

#include "report/site_model.hpp"

#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace ccci::host {

/// index.html: every recipe's canonical, last sweep label, latest run's level
/// and tiers; the runs without a readable results.json; the sweeps.
std::string render_index(const SiteModel& model);
/// recipes/<name>.html: its runs and sweeps over time, a chart of its level.
std::string render_recipe_page(const SiteModel& model, const RecipeInfo& recipe);
/// runs/<id>.html: tiers, checks, level cap, flags, leaks, environment, and
/// links to the files the writer copies into runs/<id>/ (or why not).
std::string render_run_page(const SiteModel& model, const RunEntry& run);
/// badges/<name>.svg, e.g. "ccci | L5 green", "ccci | red at restore".
std::string render_badge(const SiteModel& model, const RecipeInfo& recipe);
/// The right-hand words of the badge.
std::string badge_text(const SiteModel& model, std::string_view recipe);
/// style.css, the one stylesheet.
std::string_view site_stylesheet();

/// "2026-11-23T09:12:52Z" to seconds since the epoch; nullopt otherwise.
std::optional<std::time_t> parse_iso8601(std::string_view text);
/// How long before `now` `then` was: "just now", "5 minutes ago", "3 days ago".
std::string age_text(std::string_view then, std::string_view now);
/// A duration for people: "0.4 s", "12 s", "3 min 05 s", "1 h 02 min".
std::string duration_text(double seconds);
/// A run directory's file name as a relative URL path (each byte other than
/// letters, digits, `-._~/` percent-encoded).
std::string url_path(std::string_view relative);

} // namespace ccci::host
