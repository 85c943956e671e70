// ccci triage
#include "cli.hpp"
#include "errors.hpp"

namespace ccci::cli {

int cmd_triage(const Args&) { throw ccci::detail::InputError("ccci triage: not implemented yet"); }

} // namespace ccci::cli
