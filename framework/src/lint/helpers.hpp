// What more than one lint rule needs: building a verdict, the compose files
// to look at, reading image references, and knowing database engines and
// their dump files.
#pragma once

#include "lint/rule.hpp"

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ccci::host::lint {

std::string join(const std::vector<std::string>& parts, std::string_view sep);

/// Satisfied when there are no problems: then the detail says what was
/// checked (`ok_detail`); otherwise it lists the problems and their fixes.
LintVerdict verdict(const std::vector<std::string>& problems, const std::vector<std::string>& fixes,
                    std::string ok_detail);

/// A rule that could not look at what it judges says so (never a pass).
LintVerdict not_judged(std::string why);

const ComposeService* find_service(const Compose& compose, const std::string& name);

/// The compose files rules that look at compose run over: every compose*.yml
/// of the tree (each file on its own), or the rendered compose when the tree
/// was not read. Unreadable files are left out (the lint tier reports them).
std::vector<ComposeFileView> compose_views(const LintInput& in);

/// "compose.yml:12", or "compose.yml" when the line is unknown.
std::string at(const std::string& file, int line);

/// A service as all the compose files together make it (compose.yml first,
/// later files overriding), so a setting in any file counts.
struct MergedService {
  std::string name;
  std::string file; ///< the first file that defines it
  int line = 0;     ///< its line there
  std::optional<std::string> image;
  std::optional<bool> healthcheck;
  std::map<std::string, std::string> labels;
};
std::vector<MergedService> merged_services(const std::vector<ComposeFileView>& files);

struct ImageRef {
  std::string repository; ///< without tag and digest
  std::string tag;        ///< "" when none
  bool digest = false;
};
ImageRef parse_image(const std::string& image);

/// A database engine, as the fixes suggest dumping and loading it.
struct Engine {
  std::string_view name;         ///< "postgres", "mysql", "mongo"
  std::string_view dump_tool;    ///< suggested in fixes
  std::string_view dump_file;    ///< suggested path selection
  std::string_view load_example; ///< restore hook suggestion; {} = dump file
};

inline constexpr Engine postgres{"postgres", "pg_dump", "backup.sql",
                                 "psql -U \"$$POSTGRES_USER\" -d \"$$POSTGRES_DB\" -f {}"};
inline constexpr Engine mysql{"mysql", "mysqldump", "backup.sql",
                              "sh -c 'mysql -u root -p\"$$MYSQL_ROOT_PASSWORD\" \"$$MYSQL_DATABASE\" < {}'"};
inline constexpr Engine mongo{"mongo", "mongodump", "backup.archive", "mongorestore --drop --archive={}"};

/// The file a hook redirects its output to (`> FILE`, not `2>` or `&>`), or
/// given with --archive= / --result-file= / --file=; "" when it cannot tell.
std::string dump_file_in(const std::string& hook);

} // namespace ccci::host::lint
