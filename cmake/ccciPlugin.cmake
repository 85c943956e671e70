# ccci_add_plugin(NAME SOURCES src... [OUTPUT_DIRECTORY dir])
#
# A ccci plugin: the shared object NAME.so (no "lib" prefix: ccci looks up
# <plugin-dir>/<recipe>.so) in OUTPUT_DIRECTORY (default
# ${PROJECT_BINARY_DIR}/plugins), built against the plugin SDK (ccci::sdk).
# Used by ccci's own tree and, installed, by out-of-tree plugins after
# find_package(ccci).
#
# Hidden visibility: only what CCCI_PLUGIN exports (the ABI version and the
# factory) is visible. --no-undefined: a missing symbol is a link error here,
# not a load error in the host.
function(ccci_add_plugin name)
  cmake_parse_arguments(ARG "" "OUTPUT_DIRECTORY" "SOURCES" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "ccci_add_plugin(${name}): no SOURCES given")
  endif()
  if(NOT ARG_OUTPUT_DIRECTORY)
    set(ARG_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/plugins)
  endif()
  add_library(plugin_${name} MODULE ${ARG_SOURCES})
  set_target_properties(plugin_${name} PROPERTIES
    OUTPUT_NAME ${name} PREFIX ""
    CXX_STANDARD 20 CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF
    CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON
    LIBRARY_OUTPUT_DIRECTORY ${ARG_OUTPUT_DIRECTORY})
  target_link_libraries(plugin_${name} PRIVATE ccci::sdk)
  target_link_options(plugin_${name} PRIVATE -Wl,--no-undefined)
endfunction()
