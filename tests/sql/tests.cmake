# SQL golden tests: tests/sql/<name>.sql + <name>.expected, run through `pgpaimon sql -f`
# by tests/sql/run.sh (label "sql"); tests/sql/<name>.sh are shell scripts (the guide's
# heredocs verbatim, or steps SQL cannot do such as expiring a snapshot) run with $PGPAIMON
# and $FLINK_HOME/bin/sql-client.sh standing for `pgpaimon sql`.
file(GLOB PMN_SQL_TESTS CONFIGURE_DEPENDS ${CMAKE_CURRENT_LIST_DIR}/*.sql
     ${CMAKE_CURRENT_LIST_DIR}/*.sh)
list(FILTER PMN_SQL_TESTS EXCLUDE REGEX "/run\\.sh$")
foreach(sql ${PMN_SQL_TESTS})
  get_filename_component(name ${sql} NAME_WE)
  add_test(NAME sql_${name}
    COMMAND sh ${CMAKE_CURRENT_LIST_DIR}/run.sh $<TARGET_FILE:pgpaimon> ${sql}
            ${CMAKE_CURRENT_LIST_DIR}/${name}.expected ${CMAKE_BINARY_DIR}/test-tmp/sql_${name})
  set_tests_properties(sql_${name} PROPERTIES LABELS sql)
endforeach()
