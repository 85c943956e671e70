#include "support/files.hpp"

#include <fmt/format.h>

namespace fs = std::filesystem;

namespace ccci::test {

TempTree::TempTree(std::string_view label) : dir_(fmt::format("ccci-{}-", label)) {}

fs::path TempTree::write(const fs::path& relative, std::string_view text) const {
  auto file = dir() / relative;
  test::write(file, text);
  return file;
}

std::string read(const fs::path& file) { return host::read_file(file); }

void write(const fs::path& file, std::string_view text) {
  if (file.has_parent_path()) fs::create_directories(file.parent_path());
  host::write_file_atomically(file, text);
}

} // namespace ccci::test
