#define BOOST_TEST_MODULE interpolate
#include <boost/test/unit_test.hpp>

#include "recipe/interpolate.hpp"

#include <string>

using namespace ccci::host;

namespace {

const Env env{{"STACK_NAME", "mariadb_example_com"},
              {"SECRET_DB_PASSWORD_VERSION", "v2"},
              {"EMPTY", ""},
              {"B", "from-b"},
              {"VAR_2", "two"},
              {"_UNDER", "under"}};

std::string run(std::string_view text) { return interpolate(text, env, "compose.yml:7"); }

std::string defect(std::string_view text) {
  try {
    run(text);
  } catch (const RecipeDefect& e) {
    return e.what();
  }
  return "(no RecipeDefect thrown)";
}

} // namespace

BOOST_AUTO_TEST_CASE(plain_text_and_dollar_escapes) {
  BOOST_TEST(run("no variables here") == "no variables here");
  BOOST_TEST(run("") == "");
  BOOST_TEST(run("$$") == "$");
  BOOST_TEST(run("$$STACK_NAME") == "$STACK_NAME");
  BOOST_TEST(run("a$$$$b") == "a$$b");
  BOOST_TEST(run("$${STACK_NAME}") == "${STACK_NAME}");
  // As docker/cli: a '$' that starts nothing stays literal.
  BOOST_TEST(run("cost $") == "cost $");
  BOOST_TEST(run("cost $5 or $-") == "cost $5 or $-");
}

BOOST_AUTO_TEST_CASE(bare_and_braced_names) {
  BOOST_TEST(run("$STACK_NAME") == "mariadb_example_com");
  BOOST_TEST(run("${STACK_NAME}_db_password_${SECRET_DB_PASSWORD_VERSION}") == "mariadb_example_com_db_password_v2");
  BOOST_TEST(run("$VAR_2/$_UNDER") == "two/under");
  BOOST_TEST(run("$VAR_2x") == ""); // the name runs on: VAR_2x is unset
  BOOST_TEST(run("$STACK_NAME.version") == "mariadb_example_com.version");
  BOOST_TEST(run("${UNSET}|$UNSET|") == "||");
}

BOOST_AUTO_TEST_CASE(defaults_with_set_empty_and_unset) {
  BOOST_TEST(run("${B:-d}") == "from-b");
  BOOST_TEST(run("${EMPTY:-d}") == "d");
  BOOST_TEST(run("${UNSET:-d}") == "d");
  BOOST_TEST(run("${B-d}") == "from-b");
  BOOST_TEST(run("${EMPTY-d}") == ""); // set, so no default without ':'
  BOOST_TEST(run("${UNSET-d}") == "d");
  BOOST_TEST(run("${UNSET:-}") == "");
  BOOST_TEST(run("${UNSET:-a default with spaces: and colons}") == "a default with spaces: and colons");
  BOOST_TEST(run("${STACK_NAME}_db_password_${SECRET_UNSET_VERSION:-v1}") == "mariadb_example_com_db_password_v1");
}

BOOST_AUTO_TEST_CASE(nested_defaults) {
  BOOST_TEST(run("${A:-${B}}") == "from-b");
  BOOST_TEST(run("${A:-${C:-deep}}") == "deep");
  BOOST_TEST(run("${B:-${C:?never evaluated}}") == "from-b");
  BOOST_TEST(run("x${A:-pre-${B}-post}y") == "xpre-from-b-posty");
}

BOOST_AUTO_TEST_CASE(alternatives) {
  BOOST_TEST(run("${B:+alt}") == "alt");
  BOOST_TEST(run("${EMPTY:+alt}") == "");
  BOOST_TEST(run("${EMPTY+alt}") == "alt");
  BOOST_TEST(run("${UNSET+alt}") == "");
}

BOOST_AUTO_TEST_CASE(required_variables) {
  BOOST_TEST(run("${B:?must be set}") == "from-b");
  BOOST_TEST(run("${EMPTY?only unset fails}") == "");

  auto msg = defect("${DOMAIN:?set DOMAIN in the app env}");
  BOOST_TEST(msg.starts_with("compose.yml:7"), msg);
  BOOST_TEST(msg.find("DOMAIN") != std::string::npos, msg);
  BOOST_TEST(msg.find("set DOMAIN in the app env") != std::string::npos, msg);

  msg = defect("${EMPTY:?}");
  BOOST_TEST(msg.starts_with("compose.yml:7"), msg);
  BOOST_TEST(msg.find("EMPTY") != std::string::npos, msg);
}

BOOST_AUTO_TEST_CASE(malformed_expressions_are_located) {
  auto msg = defect("image: ${IMAGE");
  BOOST_TEST(msg.starts_with("compose.yml:7"), msg);
  BOOST_TEST(msg.find("unterminated") != std::string::npos, msg);
  BOOST_TEST(msg.find("column 8") != std::string::npos, msg);

  msg = defect("${A:-${B}");
  BOOST_TEST(msg.find("unterminated") != std::string::npos, msg);

  msg = defect("${}");
  BOOST_TEST(msg.starts_with("compose.yml:7"), msg);

  msg = defect("${9LIVES}");
  BOOST_TEST(msg.find("9LIVES") != std::string::npos, msg);

  msg = defect("${A B}");
  BOOST_TEST(msg.starts_with("compose.yml:7"), msg);

  msg = defect("${A/x/y}");
  BOOST_TEST(msg.starts_with("compose.yml:7"), msg);
}

BOOST_AUTO_TEST_CASE(escape_round_trips) {
  for (std::string s : {"", "plain", "$", "$$", "pa$$w0rd$", "${NOT_A_VAR}", "$HOME/x"})
    BOOST_TEST(run(escape_dollars(s)) == s);
  BOOST_TEST(escape_dollars("a$b$$") == "a$$b$$$$");
}
