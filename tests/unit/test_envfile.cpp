#define BOOST_TEST_MODULE envfile
#include <boost/test/unit_test.hpp>

#include "recipe/envfile.hpp"

#include <string>

using namespace ccci::host;

namespace {

std::string defect_message(std::string_view text, const std::string& filename) {
  try {
    parse_env_file(text, filename);
  } catch (const RecipeDefect& e) {
    return e.what();
  }
  return "(no RecipeDefect thrown)";
}

} // namespace

BOOST_AUTO_TEST_CASE(compose_file_chain_as_in_real_env_samples) {
  const char* text = R"(TYPE=mariadb
DOMAIN=mariadb.example.com
## Domain aliases
#EXTRA_DOMAINS=', `www.mariadb.example.com`'
LETS_ENCRYPT_ENV=production

COMPOSE_FILE="compose.yml"

## Single-sign-on
#COMPOSE_FILE="$COMPOSE_FILE:compose.sso.yml"

## SMTP
COMPOSE_FILE="$COMPOSE_FILE:compose.smtp.yml"
  # COMPOSE_FILE="$COMPOSE_FILE:compose.indented-comment.yml"
COMPOSE_FILE="${COMPOSE_FILE}:compose.x.yml"
)";
  auto env = parse_env_file(text, ".env.sample");
  BOOST_TEST(env.at("COMPOSE_FILE") == "compose.yml:compose.smtp.yml:compose.x.yml");
  BOOST_TEST(env.at("TYPE") == "mariadb");
  BOOST_TEST(env.at("DOMAIN") == "mariadb.example.com");
  BOOST_TEST(env.count("EXTRA_DOMAINS") == 0u);

  auto files = compose_files(env);
  std::vector<std::string> expected{"compose.yml", "compose.smtp.yml", "compose.x.yml"};
  BOOST_TEST(files == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(compose_files_defaults_and_drops_empty_parts) {
  BOOST_TEST(compose_files({}) == std::vector<std::string>{"compose.yml"}, boost::test_tools::per_element());
  BOOST_TEST(compose_files({{"COMPOSE_FILE", ""}}) == std::vector<std::string>{"compose.yml"},
             boost::test_tools::per_element());
  // An unset variable in a chain leaves a leading ':'.
  auto files = compose_files({{"COMPOSE_FILE", ":compose.yml::compose.x.yml:"}});
  std::vector<std::string> expected{"compose.yml", "compose.x.yml"};
  BOOST_TEST(files == expected, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(quotes_export_and_inline_comments) {
  const char* text = "export STACK=app\n"
                     "SINGLE='literal $NOT_EXPANDED # not a comment'\n"
                     "DOUBLE=\"with # hash\" # a comment\n"
                     "UNQUOTED=value # trailing comment\n"
                     "GLUED=a#b\n"
                     "SPACED = spaced value  \n"
                     "EMPTY=\n"
                     "EMPTY_QUOTED=\"\"\n"
                     "ESCAPED=\"say \\\"hi\\\" for \\$5\"\n"
                     "WINDOWS=crlf\r\n";
  auto env = parse_env_file(text, ".env");
  BOOST_TEST(env.at("STACK") == "app");
  BOOST_TEST(env.at("SINGLE") == "literal $NOT_EXPANDED # not a comment");
  BOOST_TEST(env.at("DOUBLE") == "with # hash");
  BOOST_TEST(env.at("UNQUOTED") == "value");
  BOOST_TEST(env.at("GLUED") == "a#b");
  BOOST_TEST(env.at("SPACED") == "spaced value");
  BOOST_TEST(env.at("EMPTY") == "");
  BOOST_TEST(env.at("EMPTY_QUOTED") == "");
  BOOST_TEST(env.at("ESCAPED") == "say \"hi\" for $5");
  BOOST_TEST(env.at("WINDOWS") == "crlf");
  BOOST_TEST(env.size() == 10u);
}

BOOST_AUTO_TEST_CASE(expansion_uses_file_then_base_and_later_wins) {
  Env base{{"DOMAIN", "base.example"}, {"ONLY_BASE", "b"}};
  const char* text = "URL=https://$DOMAIN/\n"
                     "DOMAIN=file.example\n"
                     "URL2=https://${DOMAIN}/${ONLY_BASE}/${MISSING:-dflt}$UNSET\n"
                     "DOMAIN=later.example\n";
  auto env = parse_env_file(text, ".env", base);
  BOOST_TEST(env.at("URL") == "https://base.example/");
  BOOST_TEST(env.at("URL2") == "https://file.example/b/dflt");
  BOOST_TEST(env.at("DOMAIN") == "later.example");
  // Only what the file itself assigns is returned.
  BOOST_TEST(env.count("ONLY_BASE") == 0u);
}

BOOST_AUTO_TEST_CASE(malformed_line_names_file_and_line) {
  auto msg = defect_message("A=1\n\n# fine\nthis is not an assignment\n", "recipes/x/.env.sample");
  BOOST_TEST(msg.find("recipes/x/.env.sample:4:") != std::string::npos, msg);

  msg = defect_message("A=1\n1BAD=2\n", ".env.sample");
  BOOST_TEST(msg.find(".env.sample:2:") != std::string::npos, msg);
  BOOST_TEST(msg.find("1BAD") != std::string::npos, msg);

  msg = defect_message("A=1\nB=2\nC=\"unterminated\n", ".env.sample");
  BOOST_TEST(msg.find(".env.sample:3:") != std::string::npos, msg);

  msg = defect_message("A='x' junk\n", ".env.sample");
  BOOST_TEST(msg.find(".env.sample:1:") != std::string::npos, msg);

  // A malformed expansion is located too.
  msg = defect_message("A=1\nB=${A\n", ".env.sample");
  BOOST_TEST(msg.find(".env.sample:2") != std::string::npos, msg);
}

BOOST_AUTO_TEST_CASE(abra_sh_literal_exports_only) {
  const char* text = R"(#!/bin/bash

export APP_ENTRYPOINT_VERSION=v4
export DB_ENTRYPOINT_VERSION="v2"
export NGINX_CONF_VERSION='v11'
export WITH_COMMENT=v3 # bumped for the new healthcheck
export COMPUTED=$(date +%s)
export FROM_VAR="$APP_ENTRYPOINT_VERSION"
export TWO_WORDS=a b
NOT_EXPORTED=v1

set_admin_pass() {
  export INSIDE_FUNCTION=v9
  echo "hello"
}

environment() {
export UNINDENTED_IN_FUNCTION=v9
}

abra app run "$APP" app -- echo done
export AFTER_FUNCTIONS=v1
)";
  auto env = parse_abra_exports(text, "abra.sh");
  BOOST_TEST(env.at("APP_ENTRYPOINT_VERSION") == "v4");
  BOOST_TEST(env.at("DB_ENTRYPOINT_VERSION") == "v2");
  BOOST_TEST(env.at("NGINX_CONF_VERSION") == "v11");
  BOOST_TEST(env.at("WITH_COMMENT") == "v3");
  BOOST_TEST(env.at("AFTER_FUNCTIONS") == "v1");
  for (const char* skipped :
       {"COMPUTED", "FROM_VAR", "TWO_WORDS", "NOT_EXPORTED", "INSIDE_FUNCTION", "UNINDENTED_IN_FUNCTION"})
    BOOST_TEST(env.count(skipped) == 0u, skipped << " should have been skipped");
  BOOST_TEST(env.size() == 5u);
}

BOOST_AUTO_TEST_CASE(abra_sh_never_throws_on_shell) {
  BOOST_CHECK_NO_THROW(
      parse_abra_exports("if [ -z \"$X\" ]; then\n  exit 1\nfi\nexport 'odd\ncase $1 in\nesac\n", "abra.sh"));
  BOOST_TEST(parse_abra_exports("", "abra.sh").empty());
}

// ---- secret modifiers (docs/architecture.md, "Secrets") --------------------

namespace {

std::string modifier_defect(std::string_view text) {
  try {
    parse_secret_modifiers(text, ".env.sample");
  } catch (const RecipeDefect& e) {
    return e.what();
  }
  return "(no RecipeDefect thrown)";
}

} // namespace

BOOST_AUTO_TEST_CASE(secret_modifiers_as_abra_writes_them) {
  const char* text = R"(TYPE=app
# SECRET_COMMENTED_VERSION=v1 # length=9
SECRET_DB_PASSWORD_VERSION=v1
SECRET_KEY_BASE_VERSION=v1 # length=128
SECRET_ADMIN_VERSION=v2 # length=32 charset=special
SECRET_SSH_KEY_VERSION=v1 # generate=false
export SECRET_API_TOKEN_VERSION="v1" # length=48,charset=special, generate=false
SECRET_NOTE_VERSION=v1 # used by the mailer; length=20 (see docs)
SECRET_HASH_VERSION=v1#length=7
APP_ENTRYPOINT_VERSION=v1 # length=5
)";
  auto m = parse_secret_modifiers(text, ".env.sample");
  BOOST_TEST(m.size() == 7u);
  BOOST_TEST(!m.count("SECRET_COMMENTED_VERSION"));
  BOOST_TEST(!m.count("APP_ENTRYPOINT_VERSION")); // not a secret
  // No modifiers: a passphrase, generated.
  BOOST_TEST(!m.at("SECRET_DB_PASSWORD_VERSION").length.has_value());
  BOOST_TEST(m.at("SECRET_DB_PASSWORD_VERSION").generate);
  BOOST_TEST(!m.at("SECRET_DB_PASSWORD_VERSION").special);
  BOOST_TEST(m.at("SECRET_DB_PASSWORD_VERSION").where == ".env.sample:3");
  BOOST_TEST(m.at("SECRET_KEY_BASE_VERSION").length.value() == 128u);
  BOOST_TEST(!m.at("SECRET_KEY_BASE_VERSION").special);
  BOOST_TEST(m.at("SECRET_ADMIN_VERSION").length.value() == 32u);
  BOOST_TEST(m.at("SECRET_ADMIN_VERSION").special);
  BOOST_TEST(!m.at("SECRET_SSH_KEY_VERSION").generate);
  BOOST_TEST(!m.at("SECRET_SSH_KEY_VERSION").length.has_value());
  // Commas, spaces, `export` and quotes together.
  const auto& api = m.at("SECRET_API_TOKEN_VERSION");
  BOOST_TEST(api.length.value() == 48u);
  BOOST_TEST(api.special);
  BOOST_TEST(!api.generate);
  BOOST_TEST(api.where == ".env.sample:7");
  // Words of a human comment around a modifier are ignored.
  BOOST_TEST(m.at("SECRET_NOTE_VERSION").length.value() == 20u);
  // `#` glued to the value is part of it, as the env parser reads it: no comment.
  BOOST_TEST(!m.at("SECRET_HASH_VERSION").length.has_value());
}

BOOST_AUTO_TEST_CASE(a_bad_modifier_value_names_the_line) {
  auto msg = modifier_defect("A=1\nSECRET_X_VERSION=v1 # length=abc\n");
  BOOST_TEST(msg.find(".env.sample:2: secret modifier 'length=abc': the length must be a whole number") !=
                 std::string::npos,
             msg);
  BOOST_TEST(modifier_defect("SECRET_X_VERSION=v1 # length=0\n").find("'length=0'") != std::string::npos);
  BOOST_TEST(modifier_defect("SECRET_X_VERSION=v1 # charset=emoji\n").find("charset takes 'special'") !=
             std::string::npos);
  BOOST_TEST(modifier_defect("SECRET_X_VERSION=v1 # generate=maybe\n").find("generate takes 'true' or 'false'") !=
             std::string::npos);
  // An unknown key is somebody's note, not abra's: ignored.
  BOOST_TEST(parse_secret_modifiers("SECRET_X_VERSION=v1 # rotate=yearly\n", "e").at("SECRET_X_VERSION").generate);
}

BOOST_AUTO_TEST_CASE(the_version_variable_of_a_compose_secret) {
  BOOST_TEST(secret_version_variable("db_password") == "SECRET_DB_PASSWORD_VERSION");
  BOOST_TEST(secret_version_variable("ssh-key") == "SECRET_SSH_KEY_VERSION");
}
