# tests/integration/tests.cmake (included by tests/CMakeLists.txt)
#
# Integration tests against a real PostgreSQL: one throw-away cluster per
# ctest run, in ${CMAKE_BINARY_DIR}/pg-test, shared through the ctest fixture
# `pg` (pg_start sets it up with the sample database ecommerce, pg_stop stops
# it). Every test gets its own database and slot names, so tests may run in
# parallel.
#   tests/integration/NNN_<name>.sh  shell scenarios (source lib.sh)
#   tests/integration/test_<name>.c  cmocka programs (itutil.h, testutil.h)
set(PMN_PG_TEST_DIR ${CMAKE_BINARY_DIR}/pg-test)
set(PMN_IT_DIR ${CMAKE_CURRENT_SOURCE_DIR}/integration)
set(PMN_IT_ENV
  "PMN_PG_DIR=${PMN_PG_TEST_DIR}"
  "PGPAIMON=$<TARGET_FILE:pgpaimon>"
  "PMN_SOURCE_DIR=${CMAKE_SOURCE_DIR}"
  "PMN_SHARED_DIR=${PMN_SHARED_DIR}"
  "PMN_TEST_TMP=${CMAKE_BINARY_DIR}/test-tmp")

# A fresh cluster every run: whatever an earlier (maybe aborted) run left
# behind is stopped by its PID and deleted first.
add_test(NAME pg_start COMMAND bash -c
  "\"$1\" destroy && \"$1\" start && \"$1\" load-sample" pg_start
  ${CMAKE_SOURCE_DIR}/scripts/pg-local.sh)
add_test(NAME pg_stop COMMAND bash ${CMAKE_SOURCE_DIR}/scripts/pg-local.sh stop)
set_tests_properties(pg_start PROPERTIES FIXTURES_SETUP pg LABELS integration
  ENVIRONMENT "PMN_PG_DIR=${PMN_PG_TEST_DIR}" TIMEOUT 180)
set_tests_properties(pg_stop PROPERTIES FIXTURES_CLEANUP pg LABELS integration
  ENVIRONMENT "PMN_PG_DIR=${PMN_PG_TEST_DIR}" TIMEOUT 120)

file(GLOB PMN_IT_SCRIPTS CONFIGURE_DEPENDS ${PMN_IT_DIR}/[0-9]*.sh)
foreach(script ${PMN_IT_SCRIPTS})
  get_filename_component(name ${script} NAME_WE)
  add_test(NAME integration.${name} COMMAND bash ${script})
  set_tests_properties(integration.${name} PROPERTIES FIXTURES_REQUIRED pg
    LABELS integration ENVIRONMENT "${PMN_IT_ENV}" TIMEOUT 600)
endforeach()

file(GLOB PMN_IT_PROGRAMS CONFIGURE_DEPENDS ${PMN_IT_DIR}/test_*.c)
foreach(src ${PMN_IT_PROGRAMS})
  get_filename_component(name ${src} NAME_WE)
  set(target it_${name})
  add_executable(${target} ${src} ${PMN_IT_DIR}/itutil.c
    ${CMAKE_CURRENT_SOURCE_DIR}/unit/testutil.c)
  target_link_libraries(${target} PRIVATE pmn PkgConfig::CMOCKA)
  target_include_directories(${target} PRIVATE ${PMN_IT_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/unit)
  target_compile_definitions(${target} PRIVATE
    PMN_FIXTURES_DIR="${PMN_SHARED_DIR}/fixtures/paimon"
    PMN_SOURCE_DIR="${CMAKE_SOURCE_DIR}")
  pmn_apply_flags(${target})
  add_test(NAME integration.${name} COMMAND ${target})
  set_tests_properties(integration.${name} PROPERTIES FIXTURES_REQUIRED pg
    LABELS integration ENVIRONMENT "${PMN_IT_ENV}" TIMEOUT 600)
endforeach()
