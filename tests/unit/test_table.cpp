// The one text table printer behind the lint, sweep, canary and triage tables.
#define BOOST_TEST_MODULE table
#include <boost/test/unit_test.hpp>

#include "report/table.hpp"

#include <stdexcept>
#include <string>

using namespace ccci::host;

BOOST_AUTO_TEST_CASE(columns_are_as_wide_as_their_widest_cell_and_the_last_runs_free) {
  TextTable t({{"name"}, {"n"}, {"note"}});
  t.add_row({"a", "12345", "short"});
  t.add_row({"longer-name", "1", ""});
  BOOST_TEST(t.render() == "name         n      note\n"
                           "a            12345  short\n"
                           "longer-name  1      \n");
}

BOOST_AUTO_TEST_CASE(a_minimum_width_holds_for_short_cells_and_gives_way_to_a_long_one) {
  TextTable narrow({{"id", 6}, {"x"}}, {.gap = " "});
  narrow.add_row({"ab", "1"});
  BOOST_TEST(narrow.render() == "id     x\n"
                                "ab     1\n");
  // A cell wider than the minimum widens the whole column, so rows stay aligned.
  TextTable wide({{"id", 6}, {"x"}}, {.gap = " "});
  wide.add_row({"ab", "1"});
  wide.add_row({"abcdefgh", "2"});
  BOOST_TEST(wide.render() == "id       x\n"
                              "ab       1\n"
                              "abcdefgh 2\n");
}

BOOST_AUTO_TEST_CASE(right_aligned_columns_pad_on_the_left) {
  TextTable t({{"what"}, {"secs", 0, Align::right}, {"end"}});
  t.add_row({"a", "1.5s", "x"});
  t.add_row({"b", "120.0s", "y"});
  BOOST_TEST(t.render() == "what    secs  end\n"
                           "a       1.5s  x\n"
                           "b     120.0s  y\n");
}

BOOST_AUTO_TEST_CASE(the_last_column_is_padded_only_when_asked) {
  TextTable t({{"a"}, {"bbb"}}, {.pad_last = true});
  t.add_row({"1", "2"});
  BOOST_TEST(t.render() == "a  bbb\n"
                           "1  2  \n");
}

BOOST_AUTO_TEST_CASE(underline_dashes_each_column_and_the_free_last_column_as_wide_as_its_header) {
  TextTable t({{"rule"}, {"severity"}, {"detail"}}, {.underline = true});
  t.add_row({"images-pinned", "error", "a detail far wider than its header"});
  BOOST_TEST(t.render() == "rule           severity  detail\n"
                           "-------------  --------  ------\n"
                           "images-pinned  error     a detail far wider than its header\n");
}

BOOST_AUTO_TEST_CASE(notes_go_under_their_row_indented_or_under_the_last_column) {
  TextTable indented({{"canary"}, {"verdict"}});
  indented.add_row({"one", "MATCH"}, {"first reason", "second reason"});
  indented.add_row({"two", "MATCH"});
  BOOST_TEST(indented.render() == "canary  verdict\n"
                                  "one     MATCH\n"
                                  "    first reason\n"
                                  "    second reason\n"
                                  "two     MATCH\n");

  TextTable under({{"rule"}, {"ok"}, {"detail"}}, {.notes_under_last_column = true});
  under.add_row({"r", "NO", "what was seen"}, {"fix: what to do"});
  BOOST_TEST(under.render() == "rule  ok  detail\n"
                               "r     NO  what was seen\n"
                               "          fix: what to do\n");
}

BOOST_AUTO_TEST_CASE(indent_and_a_column_gap_of_its_own) {
  TextTable t({{"", 3}, {"", 2, Align::right}, {.header = "", .gap_before = "  "}},
              {.indent = "  ", .gap = " ", .header = false});
  t.add_row({"run", "1", "green"});
  t.add_row({"r", "12", "red"}, {"note"});
  BOOST_TEST(t.render() == "  run  1  green\n"
                           "  r   12  red\n"
                           "      note\n");
}

BOOST_AUTO_TEST_CASE(without_header_or_rows_a_table_renders_nothing) {
  TextTable t({{"a"}, {"b"}}, {.header = false});
  BOOST_TEST(t.render() == "");
  TextTable headed({{"a"}, {"b"}});
  BOOST_TEST(headed.render() == "a  b\n");
}

BOOST_AUTO_TEST_CASE(widths_count_characters_not_bytes) {
  BOOST_TEST(display_width("abc") == 3u);
  BOOST_TEST(display_width("a—b") == 3u); // the em dash is three bytes in UTF-8
  BOOST_TEST(display_width("") == 0u);
  TextTable t({{"x"}, {"y"}});
  t.add_row({"—", "1"});
  t.add_row({"ab", "2"});
  BOOST_TEST(t.render() == "x   y\n"
                           "—   1\n"
                           "ab  2\n");
}

BOOST_AUTO_TEST_CASE(a_row_with_the_wrong_number_of_cells_is_refused_naming_the_columns) {
  TextTable t({{"rule"}, {"severity"}});
  try {
    t.add_row({"only-one"});
    BOOST_FAIL("a one-cell row in a two-column table was accepted");
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    BOOST_TEST(what.find("1 cell(s)") != std::string::npos, what);
    BOOST_TEST(what.find("2 column(s) (rule, severity)") != std::string::npos, what);
  }
  BOOST_CHECK_THROW(TextTable(std::vector<TableColumn>{}), std::invalid_argument);
}
