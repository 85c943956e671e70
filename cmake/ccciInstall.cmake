# `cmake --install`: the ccci binary, the bundled plugins, the recipes (meta
# and bundled examples), the plugin SDK headers and the CMake package that
# lets a plugin build out of tree (find_package(ccci) + ccci_add_plugin).
#
#   <prefix>/bin/ccci
#   <prefix>/lib/ccci/plugins/<recipe>.so      (cli/common.cpp: default_plugin_dir)
#   <prefix>/share/ccci/recipes/<recipe>/       (cli/common.cpp: default_recipes_dir)
#   <prefix>/include/ccci/plugin.hpp
#   <prefix>/lib/cmake/ccci/ccciConfig.cmake, ...ConfigVersion, ...Targets, ccciPlugin.cmake
include(CMakePackageConfigHelpers)

set(CCCI_INSTALL_PLUGINDIR ${CMAKE_INSTALL_LIBDIR}/ccci/plugins)
set(CCCI_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/ccci)
# The SDK's ABI version, read from the header so the two cannot disagree.
file(STRINGS ${PROJECT_SOURCE_DIR}/framework/include/ccci/plugin.hpp _ccci_abi_line
     REGEX "inline constexpr int abi_version = [0-9]+;")
string(REGEX MATCH "[0-9]+" CCCI_ABI_VERSION "${_ccci_abi_line}")

install(TARGETS ccci_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The bundled plugins: every target plugins/CMakeLists.txt made (the test
# plugins live under tests/ and are not installed).
get_property(_ccci_bundled_plugins DIRECTORY ${PROJECT_SOURCE_DIR}/plugins PROPERTY BUILDSYSTEM_TARGETS)
install(TARGETS ${_ccci_bundled_plugins} LIBRARY DESTINATION ${CCCI_INSTALL_PLUGINDIR})

# The whole recipes tree is small: meta files, and the bundled examples the
# demo and canaries deploy.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/recipes/ DESTINATION ${CMAKE_INSTALL_DATADIR}/ccci/recipes)

# The SDK: header-only, exported as ccci::sdk.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/framework/include/ccci DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
set_target_properties(ccci_sdk PROPERTIES EXPORT_NAME sdk)
install(TARGETS ccci_sdk EXPORT ccciTargets)
install(EXPORT ccciTargets NAMESPACE ccci:: FILE ccciTargets.cmake DESTINATION ${CCCI_INSTALL_CMAKEDIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/ccciConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cmake/ccciConfig.cmake
  INSTALL_DESTINATION ${CCCI_INSTALL_CMAKEDIR}
  PATH_VARS CMAKE_INSTALL_INCLUDEDIR CCCI_INSTALL_PLUGINDIR)
# 0.x: a minor release may change the SDK, so only the same minor matches.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/ccciConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES
  ${PROJECT_BINARY_DIR}/cmake/ccciConfig.cmake
  ${PROJECT_BINARY_DIR}/cmake/ccciConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/ccciPlugin.cmake
  DESTINATION ${CCCI_INSTALL_CMAKEDIR})
