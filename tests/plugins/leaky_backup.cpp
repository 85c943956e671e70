// A seed that stores the base64 of notes-pg's generated db_password as a
// note: the backup's pg_dump then carries it into the archive, a file the
// redactor never sees (it is the app's data), so only the leak scan reading
// the archive's members can find it (tests/integration/test_leaks.cpp). The
// value itself goes to the file named by CCCI_TEST_LEAK_OUT, for the test.
#include <ccci/plugin.hpp>

#include <cstdlib>
#include <fstream>
#include <string>

CCCI_SEED(encoded_password_note) {
  const auto raw = ctx.exec("db", {"cat", "/run/secrets/db_password"});
  if (raw.exit_code != 0)
    return ccci::fail("cannot read /run/secrets/db_password in the db container: '" + ccci::excerpt(raw.output) + "'");
  if (const char* out = std::getenv("CCCI_TEST_LEAK_OUT")) std::ofstream(out) << raw.output;
  const auto r = ctx.exec(
      "db", {"sh", "-c",
             "psql -X -q -v ON_ERROR_STOP=1 -U notes -d notes -c \"INSERT INTO notes(body) VALUES ('note-$(base64 -w0 "
             "/run/secrets/db_password)')\""});
  if (r.exit_code != 0)
    return ccci::fail("psql could not insert the note (exit " + std::to_string(r.exit_code) + "): '" +
                      ccci::excerpt(r.output) + "'");
  return ccci::pass("stored a note holding the base64 of the db password");
}

CCCI_PLUGIN("notes-pg")
