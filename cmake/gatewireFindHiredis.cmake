# Finds hiredis and sets GATEWIRE_HIREDIS_TARGET to an imported target for it:
# its CMake package where that defines hiredis::hiredis (vcpkg, Conan, newer
# releases), else pkg-config (Debian's package defines variables only).
find_package(hiredis CONFIG QUIET)
if(TARGET hiredis::hiredis)
  set(GATEWIRE_HIREDIS_TARGET hiredis::hiredis)
else()
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)
  set(GATEWIRE_HIREDIS_TARGET PkgConfig::HIREDIS)
endif()
