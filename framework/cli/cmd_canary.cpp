// ccci canary
#include "cli.hpp"
#include "errors.hpp"

namespace ccci::cli {

int cmd_canary(const Args&) { throw ccci::detail::InputError("ccci canary: not implemented yet"); }

} // namespace ccci::cli
