// Exports the ccci symbols with an ABI version no host speaks, so the host's
// refusal can be tested.
#include <ccci/plugin.hpp>

namespace wrong_abi {
int abi() { return ccci::abi_version + 1000; }
std::unique_ptr<ccci::Plugin> create() { return nullptr; }
} // namespace wrong_abi

BOOST_DLL_ALIAS(wrong_abi::abi, ccci_abi_version)
BOOST_DLL_ALIAS(wrong_abi::create, ccci_create_plugin)
