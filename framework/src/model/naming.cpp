#include "model/naming.hpp"

#include "model/errors.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace ccci::host {

namespace {
std::string slug(std::string_view s, std::size_t max) {
  std::string out;
  for (char c : s) {
    if (out.size() == max) break;
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (ok)
      out.push_back(c);
    else if (!out.empty() && out.back() != '-')
      out.push_back('-');
  }
  while (!out.empty() && out.back() == '-')
    out.pop_back();
  return out.empty() ? "recipe" : out;
}
} // namespace

std::string make_run_id(std::string_view recipe, std::string_view utc_compact_time, std::string_view random) {
  return fmt::format("{}-{}-{}", utc_compact_time, slug(recipe, 40), random);
}

std::string test_domain(std::string_view recipe, std::string_view random) {
  return fmt::format("{}-{}.ccci.test", slug(recipe, 20), slug(random, 12));
}

std::string stack_name_for(std::string_view domain) {
  std::string s(domain.substr(0, 45));
  for (auto& c : s)
    if (c == '.') c = '_';
  return s;
}

bool is_stack_name(std::string_view name) {
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
  if (name.empty() || !alnum(name.front())) return false;
  for (char c : name)
    if (!alnum(c) && c != '_' && c != '.' && c != '-') return false;
  return true;
}

std::string random_hex(std::size_t n) {
  // The kernel's source, never a PRNG seeded by the clock: two runs started
  // in the same second must not share a run id, a domain or a stack.
  std::ifstream urandom("/dev/urandom", std::ios::binary);
  std::string bytes((n + 1) / 2, '\0');
  if (!urandom || !urandom.read(bytes.data(), static_cast<std::streamsize>(bytes.size())))
    throw InfraFailure(fmt::format("cannot read {} random bytes from /dev/urandom: {}; ccci needs the kernel's "
                                   "random source for run ids and names (is /dev mounted?)",
                                   bytes.size(), std::strerror(errno)));
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 0xf]);
  }
  out.resize(n);
  return out;
}

} // namespace ccci::host
