# Finds libzstd and sets GATEWIRE_ZSTD_TARGET to an imported target for it.
# Package managers and Debian ship a CMake package whose target is named after
# the linkage (zstd::libzstd_shared, zstd::libzstd_static, or zstd::libzstd in
# newer releases); elsewhere pkg-config finds it. Used by the build and again
# by gatewireConfig.cmake, so both name the same target.
find_package(zstd CONFIG QUIET)
set(GATEWIRE_ZSTD_TARGET "")
foreach(candidate zstd::libzstd zstd::libzstd_shared zstd::libzstd_static)
  if(TARGET ${candidate})
    set(GATEWIRE_ZSTD_TARGET ${candidate})
    break()
  endif()
endforeach()
if(NOT GATEWIRE_ZSTD_TARGET)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
  set(GATEWIRE_ZSTD_TARGET PkgConfig::ZSTD)
endif()
