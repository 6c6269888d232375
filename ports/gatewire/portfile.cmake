# An overlay port that builds the gatewire checkout it lives in:
#   vcpkg install gatewire --overlay-ports=<checkout>/ports
# (in manifest mode: "overlay-ports": ["<checkout>/ports"] in
# vcpkg-configuration.json). A registry copy would fetch a release with
# vcpkg_from_github instead.
get_filename_component(SOURCE_PATH "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)

vcpkg_check_features(OUT_FEATURE_OPTIONS FEATURE_OPTIONS
  FEATURES
    tools GATEWIRE_BUILD_TOOLS
    redis GATEWIRE_WITH_REDIS
)

# BUILD_SHARED_LIBS follows the triplet's VCPKG_LIBRARY_LINKAGE.
vcpkg_cmake_configure(
  SOURCE_PATH "${SOURCE_PATH}"
  OPTIONS
    ${FEATURE_OPTIONS}
    -DGATEWIRE_BUILD_TESTS=OFF
    -DGATEWIRE_BUILD_BENCH=OFF
    -DGATEWIRE_BUILD_EXAMPLES=OFF
)
vcpkg_cmake_install()
vcpkg_cmake_config_fixup(PACKAGE_NAME gatewire CONFIG_PATH lib/cmake/gatewire)
vcpkg_fixup_pkgconfig()

if("tools" IN_LIST FEATURES)
  vcpkg_copy_tools(TOOL_NAMES gatewire-sim gatewire-tail gatewire-decode AUTO_CLEAN)
endif()

file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/debug/include" "${CURRENT_PACKAGES_DIR}/debug/share")
file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
