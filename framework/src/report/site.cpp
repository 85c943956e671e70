#include "report/site.hpp"

#include "model/errors.hpp"
#include "os/fs.hpp"
#include "os/ownership.hpp"
#include "recipe/meta.hpp"
#include "report/site_pages.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <set>

namespace fs = std::filesystem;

namespace ccci::host {

namespace {

// A run's files are small text (the caps in docs/architecture.md, "Bounded
// memory and permissions"); anything larger stays in the run directory.
constexpr std::uintmax_t max_copied_file = 1024 * 1024;
constexpr std::uintmax_t max_results_file = 16 * 1024 * 1024;
constexpr const char* manifest_name = ".ccci-site";
constexpr auto dir_mode = fs::perms(0755), file_mode = fs::perms(0644);

std::string iso_time(fs::file_time_type t) {
  auto sys = std::chrono::file_clock::to_sys(t);
  std::time_t tt = std::chrono::system_clock::to_time_t(sys);
  std::tm tm{};
  ::gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

fs::file_type type_of(const fs::path& p) {
  std::error_code ec;
  return fs::symlink_status(p, ec).type();
}

// Whether `rel` names a regular file inside `dir` reached without a symlink;
// else why not.
std::string inside_without_links(const fs::path& dir, const fs::path& rel) {
  if (rel.empty() || rel.is_absolute()) return "not a path inside the run directory";
  fs::path at = dir;
  for (auto it = rel.begin(); it != rel.end(); ++it) {
    if (!safe_site_name(it->string())) return "a name that cannot be a file of the site";
    at /= *it;
    auto t = type_of(at);
    if (t == fs::file_type::not_found) return "listed, but not in the run directory";
    if (t == fs::file_type::symlink) return "a symbolic link: not followed";
    if (std::next(it) == rel.end() ? t != fs::file_type::regular : t != fs::file_type::directory)
      return "not a regular file";
  }
  return "";
}

std::vector<RunArtifact> artifacts_of(const fs::path& dir, const std::optional<RunResults>& results) {
  std::vector<std::string> names{"ccci.log", "lint.txt"};
  std::error_code ec;
  std::vector<std::string> rendered;
  for (auto& e : fs::directory_iterator(dir, ec)) {
    auto n = e.path().filename().string();
    if (n.starts_with("compose") && n.ends_with(".rendered.yml")) rendered.push_back(n);
  }
  std::sort(rendered.begin(), rendered.end());
  names.insert(names.end(), rendered.begin(), rendered.end());
  if (results) names.insert(names.end(), results->evidence.begin(), results->evidence.end());
  std::vector<RunArtifact> out;
  std::set<std::string> seen;
  for (auto& n : names) {
    if (!seen.insert(n).second) continue;
    bool listed =
        results && std::find(results->evidence.begin(), results->evidence.end(), n) != results->evidence.end();
    RunArtifact a{n, 0, inside_without_links(dir, n)};
    // ccci.log and lint.txt are looked for; only evidence is promised.
    if (!listed && a.skipped == "listed, but not in the run directory") continue;
    if (a.skipped.empty()) {
      a.size = fs::file_size(dir / n, ec);
      if (ec)
        a.skipped = fmt::format("cannot be read: {}", ec.message());
      else if (a.size > max_copied_file)
        a.skipped = fmt::format("{} bytes, over the site's 1 MiB per file: read it in the run directory", a.size);
    }
    out.push_back(std::move(a));
  }
  return out;
}

RunEntry read_run(const fs::path& dir) {
  auto id = dir.filename().string();
  auto file = dir / "results.json";
  std::optional<std::string> text;
  std::string unreadable;
  auto t = type_of(file);
  if (t == fs::file_type::regular) {
    std::error_code ec;
    auto size = fs::file_size(file, ec);
    if (!ec && size > max_results_file)
      unreadable = fmt::format("results.json is {} bytes, over the 16 MiB a results document can be", size);
    else {
      text = read_file(file, ec);
      if (ec) unreadable = fmt::format("results.json cannot be read: {}", ec.message());
    }
  } else if (t != fs::file_type::not_found) {
    unreadable = "results.json is not a regular file";
  }
  RunEntry e;
  if (!unreadable.empty()) {
    e.id = id;
    e.state = RunState::malformed;
    e.problem = unreadable;
  } else {
    e = run_entry(id, text, lease_state(dir / lease_file_name));
  }
  if (e.when.empty()) {
    std::error_code ec;
    auto mtime = fs::last_write_time(dir, ec);
    if (!ec) e.when = iso_time(mtime);
  }
  e.artifacts = artifacts_of(dir, e.results);
  return e;
}

bool same_or_inside(const fs::path& inner, const fs::path& outer) {
  auto i = inner.begin(), o = outer.begin();
  for (; o != outer.end(); ++o, ++i)
    if (i == inner.end() || *i != *o) return false;
  return true;
}

fs::path normal(const fs::path& p) {
  std::error_code ec;
  auto n = fs::weakly_canonical(fs::absolute(p), ec);
  return (ec ? fs::absolute(p) : n).lexically_normal();
}

// Every directory from `root` down to `dir`, made if missing, 0755: the
// site is served by a web server of another user (docs/architecture.md).
void site_directories(const fs::path& root, const fs::path& rel_dir) {
  fs::path at = root;
  auto make = [](const fs::path& d) {
    std::error_code ec;
    fs::create_directory(d, ec);
    if (ec && !fs::is_directory(d))
      throw InfraFailure(fmt::format("cannot make the site directory {}: {}", d.string(), ec.message()));
    fs::permissions(d, dir_mode, ec);
    if (ec) throw InfraFailure(fmt::format("cannot make {} 0755: {}", d.string(), ec.message()));
  };
  if (rel_dir.empty()) {
    // The site's own parents are the operator's (a served site needs them
    // searchable by the web server: docs/architecture.md, "Dashboard").
    std::error_code ec;
    fs::create_directories(at.parent_path(), ec);
  }
  make(at);
  for (auto& part : rel_dir) {
    at /= part;
    make(at);
  }
}

void write_site_file(const fs::path& root, const std::string& rel, std::string_view content) {
  auto path = root / rel;
  site_directories(root, fs::path(rel).parent_path());
  write_file_atomically(path, content, 0644);
  // An existing file keeps its mode through an atomic write: set it anyway.
  std::error_code ec;
  fs::permissions(path, file_mode, ec);
  if (ec) throw InfraFailure(fmt::format("cannot make {} 0644: {}", path.string(), ec.message()));
}

std::set<std::string> read_manifest(const fs::path& root) {
  std::set<std::string> out;
  std::error_code ec;
  auto text = read_file(root / manifest_name, ec);
  std::size_t at = 0;
  while (!ec && at < text.size()) {
    auto nl = text.find('\n', at);
    auto line = text.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
    if (!line.empty()) out.insert(line);
    at = nl == std::string::npos ? text.size() : nl + 1;
  }
  return out;
}

// Only what an earlier site listed, only inside the site, never through a link.
std::size_t remove_stale(const fs::path& root, const std::set<std::string>& old_files,
                         const std::set<std::string>& new_files, std::vector<std::string>& notes) {
  std::size_t removed = 0;
  for (auto& rel : old_files) {
    if (new_files.count(rel)) continue;
    fs::path p(rel);
    bool clean = !p.empty() && !p.is_absolute() &&
                 std::all_of(p.begin(), p.end(), [](auto& part) { return safe_site_name(part.string()); });
    if (!clean) {
      notes.push_back(fmt::format("the manifest names '{}', which is no file of a site: left alone", rel));
      continue;
    }
    std::error_code ec;
    auto t = type_of(root / p);
    if (t != fs::file_type::regular && t != fs::file_type::symlink) continue;
    if (!fs::remove(root / p, ec) || ec) {
      notes.push_back(fmt::format("stale {} could not be removed: {}", rel, ec.message()));
      continue;
    }
    ++removed;
    for (auto dir = p.parent_path(); !dir.empty(); dir = dir.parent_path())
      if (fs::is_empty(root / dir, ec) && !ec)
        fs::remove(root / dir, ec);
      else
        break;
  }
  return removed;
}

} // namespace

SiteModel read_site_model(const SiteOptions& o) {
  SiteModel m;
  m.generated = now_iso8601();
  std::error_code ec;
  std::set<std::string> names;
  for (auto& d : fs::directory_iterator(o.recipes_dir, ec)) {
    std::error_code mec;
    if (!fs::exists(d.path() / "ccci.yml", mec)) continue;
    auto name = d.path().filename().string();
    if (!safe_site_name(name)) {
      m.notes.push_back(fmt::format("recipes dir: '{}' cannot be a page name; left out", name));
      continue;
    }
    RecipeInfo r{.name = name, .has_meta = true};
    try {
      r.enrolled = load_meta(d.path() / "ccci.yml").enroll;
    } catch (const std::exception& ex) {
      r.meta_problem = ex.what();
    }
    names.insert(name);
    m.recipes.push_back(std::move(r));
  }
  for (auto& f : fs::directory_iterator(o.state_dir / "registry", ec)) {
    auto name = f.path().stem().string();
    if (f.path().extension() != ".json" || names.count(name) || !safe_site_name(name)) continue;
    names.insert(name);
    m.recipes.push_back(RecipeInfo{.name = name});
  }
  for (auto& r : m.recipes) {
    try {
      r.canonical = read_canonical(o.state_dir, r.name);
    } catch (const std::exception& ex) {
      r.canonical_problem = ex.what();
    }
  }
  for (auto& d : fs::directory_iterator(o.state_dir / "sweeps", ec)) {
    if (type_of(d.path()) != fs::file_type::directory) continue;
    auto id = d.path().filename().string();
    std::error_code rec;
    auto text = read_file(d.path() / "summary.json", rec);
    if (rec) {
      SweepRecord s;
      s.id = id;
      s.problem = "no summary.json: the sweep is still going, or ended before writing it";
      m.sweeps.push_back(std::move(s));
    } else {
      m.sweeps.push_back(sweep_from_json(id, text));
    }
  }
  for (auto& d : fs::directory_iterator(o.runs_dir, ec)) {
    auto t = type_of(d.path());
    if (t != fs::file_type::directory) continue; // the sweep's <run>.out logs, symlinks
    auto id = d.path().filename().string();
    if (!safe_site_name(id)) {
      m.notes.push_back(fmt::format("runs dir: '{}' cannot be a page name; left out", id));
      continue;
    }
    m.runs.push_back(read_run(d.path()));
  }
  finish_model(m);
  return m;
}

SiteReport write_site(const SiteOptions& o) {
  auto out = normal(o.out_dir);
  if (out == normal(o.state_dir))
    throw InputError(fmt::format("--out {}: is the state directory; give the site a directory of its own (default "
                                 "<state-dir>/report)",
                                 o.out_dir.string()));
  auto runs = normal(o.runs_dir);
  if (same_or_inside(out, runs) || same_or_inside(runs, out))
    throw InputError(fmt::format("--out {}: {} the runs directory {}; its pages would mix with the runs: give the "
                                 "site a directory of its own (default <state-dir>/report)",
                                 o.out_dir.string(), same_or_inside(out, runs) ? "is inside" : "holds",
                                 o.runs_dir.string()));

  auto model = read_site_model(o);
  SiteReport report;
  report.notes = model.notes;
  std::vector<std::pair<std::string, std::string>> pages{{"style.css", std::string(site_stylesheet())},
                                                         {"index.html", render_index(model)}};
  for (auto& r : model.recipes) {
    if (!safe_site_name(r.name)) continue;
    pages.emplace_back("recipes/" + r.name + ".html", render_recipe_page(model, r));
    pages.emplace_back("badges/" + r.name + ".svg", render_badge(model, r));
  }
  std::vector<std::pair<std::string, fs::path>> copies;
  for (auto& run : model.runs) {
    pages.emplace_back("runs/" + run.id + ".html", render_run_page(model, run));
    if (!run.withheld().empty()) continue; // a leak scan that did not prove the files clean
    for (auto& a : run.artifacts)
      if (a.skipped.empty()) copies.emplace_back("runs/" + run.id + "/" + a.site_path(), o.runs_dir / run.id / a.path);
  }

  site_directories(out, {});
  // `ccci report` by hand during a sweep's own: one writer at a time, so
  // neither removes as stale what the other has just written.
  FileLock lock(out / ".ccci-site.lock");
  lock.lock();
  std::set<std::string> written;
  for (auto& [rel, content] : pages) {
    write_site_file(out, rel, content);
    written.insert(rel);
    ++report.pages;
  }
  for (auto& [rel, src] : copies) {
    std::error_code ec;
    auto content = read_file(src, ec);
    if (ec) {
      report.notes.push_back(fmt::format("{} was not copied: {}", src.string(), ec.message()));
      continue;
    }
    write_site_file(out, rel, content);
    written.insert(rel);
    ++report.files_copied;
  }
  report.removed = remove_stale(out, read_manifest(out), written, report.notes);
  std::string manifest;
  for (auto& rel : written)
    manifest += rel + "\n";
  write_site_file(out, manifest_name, manifest);
  report.index = out / "index.html";
  return report;
}

} // namespace ccci::host
