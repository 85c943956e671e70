// ccci sweep
#include "cli.hpp"
#include "errors.hpp"

namespace ccci::cli {

int cmd_sweep(const Args&) { throw ccci::detail::InputError("ccci sweep: not implemented yet"); }

} // namespace ccci::cli
