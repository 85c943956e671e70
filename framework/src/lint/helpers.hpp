// What more than one lint rule needs: building a verdict, reading image
// references, and knowing database engines and their dump files.
#pragma once

#include "lint/rule.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace ccci::host::lint {

std::string join(const std::vector<std::string>& parts, std::string_view sep);

/// Satisfied when there are no problems: then the detail says what was
/// checked (`ok_detail`); otherwise it lists the problems and their fixes.
LintVerdict verdict(const std::vector<std::string>& problems, const std::vector<std::string>& fixes,
                    std::string ok_detail);

const ComposeService* find_service(const Compose& compose, const std::string& name);

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
