// `ccci report` and the end of every `ccci sweep`: the static dashboard
// (docs/architecture.md, "Dashboard"). Reads the recipe metas, the registry,
// the sweeps' summaries and every run directory (report/site_model.hpp),
// renders the pages (report/site_pages.hpp) and writes them, each file
// atomically, dirs 0755 and files 0644 whatever the umask, so a web server
// running as another user can serve the directory.
#pragma once

#include "report/site_model.hpp"

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

namespace ccci::host {

struct SiteOptions {
  std::filesystem::path state_dir;   ///< registry/ and sweeps/
  std::filesystem::path runs_dir;    ///< one directory per run
  std::filesystem::path recipes_dir; ///< recipe metas: who is enrolled
  std::filesystem::path out_dir;     ///< the site
};

struct SiteReport {
  std::filesystem::path index;
  std::size_t pages = 0;          ///< HTML pages and badges written
  std::size_t files_copied = 0;   ///< run files copied beside their run pages
  std::size_t removed = 0;        ///< stale files of an earlier site removed
  std::vector<std::string> notes; ///< what was left out, and why (also on the index)
};

/// The inputs read into a model. Never throws for what it reads: a file
/// that cannot be read is shown as such.
SiteModel read_site_model(const SiteOptions& options);

/// Writes the site. Files of an earlier site that this one no longer has (a
/// run directory that was removed) are deleted — only those listed in the
/// site's manifest (`.ccci-site`), never anything else in the directory.
/// Throws InputError when out_dir is or holds the state or runs directory
/// (pages would land among the runs), InfraFailure naming the file it could
/// not write.
SiteReport write_site(const SiteOptions& options);

} // namespace ccci::host
