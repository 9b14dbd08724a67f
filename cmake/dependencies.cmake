# Every third-party dependency comes from Debian's packages (scripts/bootstrap installs them).
find_package(Threads REQUIRED)
find_package(Boost 1.81.0 EXACT CONFIG REQUIRED COMPONENTS json)
find_package(GTest REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(spdlog CONFIG REQUIRED)
find_package(CLI11 CONFIG REQUIRED)
find_package(prometheus-cpp CONFIG REQUIRED)
pkg_check_modules(SODIUM REQUIRED IMPORTED_TARGET libsodium)

# SOCI ships no CMake config or .pc on Debian: find its libraries by hand.
find_library(SOCI_CORE_LIB soci_core REQUIRED)
find_library(SOCI_SQLITE3_LIB soci_sqlite3 REQUIRED)
find_library(SOCI_POSTGRESQL_LIB soci_postgresql REQUIRED)
add_library(soci INTERFACE)
target_link_libraries(soci INTERFACE ${SOCI_CORE_LIB} ${SOCI_SQLITE3_LIB} ${SOCI_POSTGRESQL_LIB})
target_include_directories(soci INTERFACE /usr/include/postgresql)

# Asio/Beast are header-only; keep the define set identical in every TU that sees them.
add_library(boost_net INTERFACE)
target_link_libraries(boost_net INTERFACE Boost::headers Threads::Threads)
target_compile_definitions(boost_net INTERFACE BOOST_ASIO_NO_DEPRECATED BOOST_BEAST_USE_STD_STRING_VIEW)

# Lua 5.1 (the version Redis embeds) for EVAL, linked statically so the runtime images need no
# liblua. Debian's C++ build of the same sources (lua5.1-c++): a Lua error unwinds as a C++
# exception, so the destructors of our C functions run (the C build longjmps over them).
pkg_check_modules(LUA51 REQUIRED lua5.1-c++)
find_library(LUA51_STATIC_LIB NAMES liblua5.1-c++.a HINTS ${LUA51_LIBRARY_DIRS} REQUIRED)
add_library(lua51 INTERFACE)
target_include_directories(lua51 SYSTEM INTERFACE ${LUA51_INCLUDE_DIRS})
target_link_libraries(lua51 INTERFACE ${LUA51_STATIC_LIB} m ${CMAKE_DL_LIBS})
