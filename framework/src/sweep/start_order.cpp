#include "sweep/start_order.hpp"

#include "model/results.hpp"
#include "os/fs.hpp"
#include "recipe/compose.hpp"
#include "recipe/yaml_load.hpp"
#include "report/site_pages.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cstdint>
#include <numeric>

namespace fs = std::filesystem;

namespace ccci::host {

namespace {

std::optional<double> wall_seconds(const PastRun& r) {
  auto a = parse_iso8601(r.started), b = parse_iso8601(r.finished);
  if (!a || !b || *b < *a) return std::nullopt;
  return static_cast<double>(*b - *a);
}

} // namespace

std::optional<double> last_run_seconds(const std::vector<PastRun>& runs, std::string_view recipe) {
  const PastRun* newest = nullptr;
  double seconds = 0;
  for (const auto& r : runs) {
    if (r.recipe != recipe || r.run_id.ends_with("-promote")) continue;
    if (r.exit_code != 0 && r.exit_code != 1) continue; // stopped or unverified: says little of its length
    auto s = wall_seconds(r);
    if (!s) continue;
    // ISO 8601 UTC in one format: text order is time order.
    if (!newest || r.finished > newest->finished) newest = &r, seconds = *s;
  }
  if (!newest) return std::nullopt;
  for (const auto& r : runs)
    if (r.recipe == recipe && r.run_id == newest->run_id + "-promote")
      if (auto s = wall_seconds(r)) seconds += *s;
  return seconds;
}

std::optional<double> docker_duration_seconds(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double total = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t start = i;
    while (i < text.size() && ((text[i] >= '0' && text[i] <= '9') || text[i] == '.'))
      ++i;
    if (i == start) return std::nullopt;
    double number = 0;
    try {
      std::size_t used = 0;
      number = std::stod(std::string(text.substr(start, i - start)), &used);
      if (used != i - start) return std::nullopt;
    } catch (const std::exception&) {
      return std::nullopt;
    }
    std::size_t unit_start = i;
    while (i < text.size() && !((text[i] >= '0' && text[i] <= '9') || text[i] == '.'))
      ++i;
    auto unit = text.substr(unit_start, i - unit_start);
    double scale = 0;
    if (unit == "h")
      scale = 3600;
    else if (unit == "m")
      scale = 60;
    else if (unit == "s")
      scale = 1;
    else if (unit == "ms")
      scale = 1e-3;
    else if (unit == "us" || unit == "µs")
      scale = 1e-6;
    else if (unit == "ns")
      scale = 1e-9;
    else
      return std::nullopt;
    total += number * scale;
  }
  return total;
}

double seconds_to_healthy(const YAML::Node& service) {
  auto hc = yaml::child(service, "healthcheck");
  if (!hc.IsMap() || !healthcheck_enabled_in(hc)) return 0;
  auto field = [&](const char* key, double fallback) {
    auto d = docker_duration_seconds(yaml::scalar_or(yaml::child(hc, key)));
    return d ? *d : fallback;
  };
  return field("start_period", docker_default_start_period) + field("interval", docker_default_interval);
}

ExpectedCost estimate_cost(const std::vector<YAML::Node>& compose_files, const EstimateInputs& inputs) {
  std::map<std::string, double> healthy; ///< by service: the last file's healthcheck wins
  bool backupbot = false;
  for (const auto& doc : compose_files) {
    auto services = yaml::child(doc, "services");
    if (!services.IsMap()) continue;
    for (const auto& kv : services) {
      const auto name = kv.first.Scalar();
      if (yaml::child(kv.second, "healthcheck").IsMap() || !healthy.count(name))
        healthy[name] = seconds_to_healthy(kv.second);
      auto labels = read_deploy_labels(yaml::child(yaml::child(kv.second, "deploy"), "labels"));
      if (auto it = labels.find("backupbot.backup"); it != labels.end() && it->second == "true") backupbot = true;
    }
  }
  std::string slowest;
  double per_deploy = 0;
  for (const auto& [name, s] : healthy)
    if (slowest.empty() || s > per_deploy) slowest = name, per_deploy = s;
  per_deploy = std::max(per_deploy, minimum_deploy_seconds);
  // install, then base and upgrade, then restore's fresh deploy, then the promotion's install
  const int deploys = 1 + (inputs.upgrade ? 2 : 0) + (backupbot && inputs.restore ? 1 : 0) + 1;
  return {deploys * per_deploy, fmt::format("estimate {} deploys x {:.0f} s", deploys, per_deploy)};
}

std::vector<std::size_t> longest_first(const std::vector<ExpectedCost>& costs) {
  std::vector<std::size_t> order(costs.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return costs[a].seconds > costs[b].seconds; });
  return order;
}

StartOrder plan_start_order(const std::vector<std::string>& recipes, const std::vector<PastRun>& past,
                            const std::function<ExpectedCost(std::size_t)>& estimate) {
  StartOrder plan;
  for (std::size_t i = 0; i < recipes.size(); ++i) {
    if (auto s = last_run_seconds(past, recipes[i]))
      plan.costs.push_back({*s, fmt::format("last run {:.0f} s", *s)});
    else
      plan.costs.push_back(estimate(i));
  }
  plan.order = longest_first(plan.costs);
  return plan;
}

std::string start_order_line(const std::vector<std::string>& names, const std::vector<ExpectedCost>& costs,
                             const std::vector<std::size_t>& order) {
  std::vector<std::string> parts;
  for (auto i : order)
    parts.push_back(fmt::format("{} ({})", names[i], costs[i].why));
  return fmt::format("start order (longest expected first): {}", fmt::join(parts, ", "));
}

namespace {

// Past the 16 MiB a results document can be (report/site.cpp) it is not one.
constexpr std::uintmax_t max_results_bytes = std::uintmax_t{16} << 20;

std::optional<PastRun> read_past_run(const fs::path& file) {
  std::error_code ec;
  auto size = fs::file_size(file, ec);
  if (ec || size > max_results_bytes) return std::nullopt;
  auto text = read_file(file, ec);
  if (ec) return std::nullopt;
  try {
    auto r = results_from_json(text, file.string());
    return PastRun{r.run_id, r.recipe, r.started, r.finished, r.exit_code};
  } catch (const std::exception&) {
    return std::nullopt; // not a results document: no history
  }
}

} // namespace

std::vector<PastRun> read_past_sweep_runs(const fs::path& runs_dir, const std::vector<std::string>& recipes) {
  std::vector<PastRun> runs;
  std::error_code ec;
  for (fs::directory_iterator it(runs_dir, ec), end; !ec && it != end; it.increment(ec)) {
    auto id = it->path().filename().string();
    if (!id.starts_with("sweep-")) continue;
    bool ours = std::any_of(recipes.begin(), recipes.end(), [&](const std::string& r) {
      return id.ends_with("-" + r) || id.ends_with("-" + r + "-promote");
    });
    if (!ours) continue;
    std::error_code dec;
    if (!it->is_directory(dec)) continue;
    // The directory's name, not the file's word, says which run it is.
    if (auto r = read_past_run(it->path() / "results.json"); r && r->run_id == id) runs.push_back(std::move(*r));
  }
  return runs;
}

} // namespace ccci::host
