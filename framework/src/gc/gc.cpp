#include "gc/gc.hpp"

#include "model/results.hpp"
#include "os/fs.hpp"
#include "os/ownership.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>
#include <tuple>

namespace fs = std::filesystem;

namespace ccci::host {

namespace {

// Labels are read from objects anyone on this docker daemon can make: a run
// id becomes a path under the runs dir only when it is a plain name.
bool plain_name(const std::string& s) {
  return !s.empty() && s.find('/') == std::string::npos && !s.starts_with('.') && s.find('\0') == std::string::npos;
}

RunRecord run_record(const fs::path& run_dir) {
  std::error_code ec;
  if (!fs::is_directory(run_dir, ec)) return RunRecord::unknown;
  auto results = run_dir / "results.json";
  if (!fs::exists(results, ec)) return RunRecord::unfinished;
  std::error_code read_ec;
  auto text = read_file(results, read_ec);
  if (read_ec) return RunRecord::unknown;
  try {
    return results_from_json(text, results.string()).kept_running ? RunRecord::kept : RunRecord::finished;
  } catch (const std::exception&) {
    return RunRecord::unknown; // unreadable: nothing to go by
  }
}

OwnerFacts facts_of(const Owner& o, const GcOptions& options) {
  OwnerFacts f;
  f.pid_started = process_start_time(o.pid);
  if (!options.runs_dir.empty() && plain_name(o.run)) {
    auto dir = options.runs_dir / o.run;
    f.lease = lease_state(dir / lease_file_name);
    f.record = run_record(dir);
  }
  return f;
}

// ccci's temporary directories: ccci-* with an owner record. Others of that
// name (a test's scratch tree, a directory made by hand) are not ccci's.
std::vector<std::pair<fs::path, Labels>> owned_temp_dirs(const fs::path& root) {
  std::vector<std::pair<fs::path, Labels>> out;
  std::error_code ec;
  for (auto& entry : fs::directory_iterator(root, ec)) {
    auto p = entry.path();
    if (!p.filename().string().starts_with("ccci-")) continue;
    std::error_code st;
    if (!fs::is_directory(fs::symlink_status(p, st)) ||
        !fs::is_regular_file(fs::symlink_status(p / temp_owner_file, st)))
      continue;
    std::error_code read_ec;
    auto labels = parse_owner_record(read_file(p / temp_owner_file, read_ec));
    if (!read_ec && labels.count(owner_label::run)) out.emplace_back(p, std::move(labels));
  }
  return out;
}

int kind_order(const std::string& kind) {
  static const std::vector<std::string> order{"edge-route", "service", "container", "secret",
                                              "config",     "volume",  "network",   "temp-dir"};
  auto it = std::find(order.begin(), order.end(), kind);
  return static_cast<int>(it - order.begin());
}

} // namespace

int GcReport::count(GcVerdict v) const {
  return static_cast<int>(std::count_if(items.begin(), items.end(), [&](auto& i) { return i.decision.verdict == v; }));
}

int GcReport::removed() const {
  return static_cast<int>(std::count_if(items.begin(), items.end(), [](auto& i) { return i.removed; }));
}

int GcReport::failed() const {
  return static_cast<int>(std::count_if(items.begin(), items.end(), [](auto& i) { return !i.error.empty(); }));
}

std::string GcReport::summary(bool dry_run) const {
  std::set<std::string> dead_runs;
  for (auto& i : items)
    if (i.decision.verdict == GcVerdict::remove) dead_runs.insert(i.owner.run);
  auto kept = static_cast<int>(items.size()) - count(GcVerdict::remove);
  auto kept_detail = fmt::format("{} of live runs, {} of warm canonicals, {} of other hosts, {} with incomplete labels",
                                 count(GcVerdict::live), count(GcVerdict::canonical), count(GcVerdict::other_host),
                                 count(GcVerdict::unknown));
  if (dry_run)
    return fmt::format("gc --dry-run: {} object(s) of {} dead run(s) would be removed; {} kept ({}); nothing removed",
                       count(GcVerdict::remove), dead_runs.size(), kept, kept_detail);
  return fmt::format("gc: {} object(s) of {} dead run(s) removed, {} kept ({}), {} could not be removed", removed(),
                     dead_runs.size(), kept, kept_detail, failed());
}

GcReport collect_garbage(Swarm& swarm, const GcOptions& options, const std::function<void(const std::string&)>& say) {
  GcReport report;
  const auto host = this_hostname();
  std::map<std::tuple<std::string, long, std::string, std::string>, OwnerFacts> facts;
  auto judge = [&](std::string kind, std::string name, const Labels& labels) {
    auto owner = owner_from_labels(labels);
    if (!owner) return; // not ccci's: never touched, not even listed
    auto key = std::make_tuple(owner->host, owner->pid, owner->started, owner->run);
    auto it = facts.find(key);
    if (it == facts.end()) it = facts.emplace(key, facts_of(*owner, options)).first;
    report.items.push_back(
        {std::move(kind), std::move(name), *owner, judge_owner(*owner, host, it->second), false, ""});
  };

  std::vector<OwnedObject> objects = options.listed ? *options.listed : swarm.owned_objects();
  for (auto& o : objects)
    judge(o.kind, o.name, o.labels);
  std::error_code ec;
  auto temp_root = options.temp_dir.empty() ? fs::temp_directory_path(ec) : options.temp_dir;
  if (!ec)
    for (auto& [dir, labels] : owned_temp_dirs(temp_root))
      judge("temp-dir", dir.string(), labels);

  std::stable_sort(report.items.begin(), report.items.end(), [](const GcItem& a, const GcItem& b) {
    return std::make_tuple(a.owner.run, kind_order(a.kind), a.name) <
           std::make_tuple(b.owner.run, kind_order(b.kind), b.name);
  });

  if (!options.dry_run) {
    std::vector<OwnedObject> doomed;
    std::vector<std::size_t> index;
    for (std::size_t i = 0; i < report.items.size(); ++i) {
      auto& item = report.items[i];
      if (item.decision.verdict != GcVerdict::remove) continue;
      if (item.kind == "temp-dir") {
        std::error_code rm;
        fs::remove_all(item.name, rm);
        if (rm)
          item.error = fmt::format("cannot remove {}: {}", item.name, rm.message());
        else
          item.removed = true;
        continue;
      }
      auto found = std::find_if(objects.begin(), objects.end(),
                                [&](const OwnedObject& o) { return o.kind == item.kind && o.name == item.name; });
      doomed.push_back(*found);
      index.push_back(i);
    }
    if (!doomed.empty()) {
      auto results = swarm.remove_owned(doomed);
      for (std::size_t j = 0; j < index.size(); ++j) {
        auto& item = report.items[index[j]];
        item.error = j < results.size() ? results[j] : "not removed: the swarm gave no answer for it";
        item.removed = item.error.empty();
      }
    }
  }

  for (auto& item : report.items) {
    bool remove = item.decision.verdict == GcVerdict::remove;
    if (!item.error.empty())
      say(fmt::format("gc: could not remove {} {}: {} ({})", item.kind, item.name, item.error, item.decision.why));
    else if (remove)
      say(fmt::format("gc: {} {} {}: {}", options.dry_run ? "would remove" : "removed", item.kind, item.name,
                      item.decision.why));
    else if (!options.quiet)
      say(fmt::format("gc: keep {} {}: {}", item.kind, item.name, item.decision.why));
  }
  if (!options.quiet || report.count(GcVerdict::remove) > 0) say(report.summary(options.dry_run));
  return report;
}

} // namespace ccci::host
