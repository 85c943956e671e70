// What ccci keeps of text and bodies it does not control stays within fixed
// bounds (docs/architecture.md, "Bounded memory"): a program's output, a
// service's log tail, a hook's tail, an HTTP body.
#define BOOST_TEST_MODULE bounds
#include <boost/test/unit_test.hpp>

#include "model/text.hpp"
#include "plugin/http.hpp"
#include "support/files.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>

using namespace ccci::host;
using ccci::test::TempTree;

namespace {
bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
} // namespace

BOOST_AUTO_TEST_CASE(bounded_text_keeps_everything_under_its_cap) {
  BoundedText t(8, 8);
  t.append("hello ");
  t.append("world");
  BOOST_TEST(t.str() == "hello world");
  BOOST_TEST(t.dropped() == 0u);
}

BOOST_AUTO_TEST_CASE(bounded_text_keeps_the_head_and_the_tail_and_says_what_it_dropped) {
  BoundedText t(6, 4);
  t.append("HEAD::");
  // Many small appends and one large one: the ring's wrap-around both ways.
  for (int i = 0; i < 1000; ++i)
    t.append("middle");
  t.append(std::string(100000, 'm'));
  t.append("abc");
  t.append("TAIL");
  BOOST_TEST(t.dropped() == 6000u + 100000u + 3u);
  const auto s = t.str();
  BOOST_TEST(s.starts_with("HEAD::\n[ccci: 106003 bytes dropped here; kept the first 6 bytes and the last 4 bytes]\n"),
             s);
  BOOST_TEST(s.ends_with("\nTAIL"), s);
  BOOST_TEST(s.size() < 100u);
}

BOOST_AUTO_TEST_CASE(bounded_text_tail_wraps_inside_one_append) {
  BoundedText t(0, 5);
  t.append("abc");
  t.append("defg"); // fills the ring (abcde), then f and g overwrite a and b
  BOOST_TEST(t.dropped() == 2u);
  BOOST_TEST(t.str().ends_with("\ncdefg"), t.str());
}

BOOST_AUTO_TEST_CASE(tail_lines_bounds_lines_and_bytes) {
  std::string text;
  for (int i = 1; i <= 50; ++i)
    text += fmt::format("line {}\n", i);
  BOOST_TEST(tail_lines(text, 3, 100, 1000) == "[... 47 earlier lines dropped]\nline 48\nline 49\nline 50\n");
  // A line an app chose to make 1 MiB long is cut, and the bytes bound the count.
  const std::string huge = "A" + std::string(1 << 20, 'x') + "\nlast\n";
  const auto tail = tail_lines(huge, 5, 10, 1000);
  BOOST_TEST(tail == "Axxxxxxxxx [... 1048567 bytes cut]\nlast\n");
  const auto few = tail_lines(text, 50, 100, 20);
  BOOST_TEST(few == "[... 48 earlier lines dropped]\nline 49\nline 50\n");
  BOOST_TEST(tail_lines("", 5, 10, 10) == "");
  BOOST_TEST(tail_lines("no newline", 5, 100, 100) == "no newline\n");
}

BOOST_AUTO_TEST_CASE(an_http_body_over_the_cap_is_an_error_naming_the_url_and_the_cap) {
  // libcurl's file:// hands the body to the same write callback as HTTP.
  TempTree tmp("bounds");
  const auto file = tmp.write("big.bin", std::string((1 << 20) + 1, 'b'));
  HttpRequest request;
  request.url = "file://" + file.string();
  request.max_body = 1 << 20;
  try {
    http_send(request);
    BOOST_FAIL("a body over the cap was accepted");
  } catch (const HttpBodyTooLarge& e) {
    BOOST_TEST(has(e.what(), request.url), e.what());
    BOOST_TEST(has(e.what(), "cap of 1 MiB"), e.what());
  }
  // At the cap: the whole body.
  const auto fits = tmp.write("fits.bin", std::string(1 << 20, 'f'));
  request.url = "file://" + fits.string();
  BOOST_TEST(http_send(request).body.size() == std::size_t{1} << 20);
  BOOST_TEST(max_http_body == std::size_t{16} << 20);
}
