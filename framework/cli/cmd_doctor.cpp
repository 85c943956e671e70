// ccci doctor
#include "cli.hpp"
#include "errors.hpp"

namespace ccci::cli {

int cmd_doctor(const Args&) { throw ccci::detail::InputError("ccci doctor: not implemented yet"); }

} // namespace ccci::cli
